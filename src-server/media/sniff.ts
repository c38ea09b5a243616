import type { MediaMime } from './names';

/**
 * The image type the bytes themselves say they are, from their magic number; null when they are
 * none of the accepted types. The declared Content-Type must agree with this, so a file that is
 * really HTML or a script can never be stored and served as an image.
 */
export function sniffImageMime(bytes: Uint8Array): MediaMime | null {
  const starts = (offset: number, ...sig: number[]): boolean =>
    bytes.length >= offset + sig.length && sig.every((b, i) => bytes[offset + i] === b);
  const ascii = (offset: number, text: string): boolean => starts(offset, ...[...text].map((c) => c.charCodeAt(0)));
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return null;
}
