import type { IpcArgs } from '../../../src-shared/ipc';

const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
type AcceptedMime = (typeof ACCEPTED)[number];
export const IMAGE_ACCEPT = ACCEPTED.join(',');
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Longest side sent: more than any screen shows, and what keeps a phone photo well under the byte limit. */
export const MAX_IMAGE_SIDE = 4096;
const JPEG_QUALITY = 0.9;

function isAccepted(mime: string): mime is AcceptedMime {
  return (ACCEPTED as readonly string[]).includes(mime);
}

const refusal = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * A pasted or picked image as the send call wants it: bytes in base64 plus its pixel size. A still
 * image larger than MAX_IMAGE_SIDE or MAX_IMAGE_BYTES (a modern phone's photo often is) is scaled
 * down and sent as JPEG, as chat apps do, instead of being refused; it is drawn upright, so its EXIF
 * goes with the re-encode. GIFs are sent as they are (scaling would stop the animation).
 */
export async function readImageFile(file: File): Promise<IpcArgs<'media.upload'>> {
  if (!isAccepted(file.type)) throw refusal('IMAGE_TYPE', `Unsupported image type ${file.type || 'unknown'}`);
  const bitmap = await createImageBitmap(file);
  try {
    const fits = file.size <= MAX_IMAGE_BYTES && Math.max(bitmap.width, bitmap.height) <= MAX_IMAGE_SIDE;
    if (fits) return await asArgs(file, file.type, bitmap.width, bitmap.height, file.name);
    if (file.type === 'image/gif') throw refusal('PAYLOAD_TOO_LARGE', 'Image larger than 8 MiB');
    return await scaledDown(bitmap, file.name);
  } finally {
    bitmap.close();
  }
}

async function scaledDown(bitmap: ImageBitmap, name: string): Promise<IpcArgs<'media.upload'>> {
  let side = Math.min(MAX_IMAGE_SIDE, Math.max(bitmap.width, bitmap.height));
  // A noisy picture can stay over the byte limit at full size: step down until it fits.
  for (let attempt = 0; attempt < 4; attempt++, side = Math.round(side * 0.75)) {
    const scale = side / Math.max(bitmap.width, bitmap.height);
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) break;
    context.drawImage(bitmap, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    if (blob.size <= MAX_IMAGE_BYTES) return asArgs(blob, 'image/jpeg', width, height, jpegName(name));
  }
  throw refusal('PAYLOAD_TOO_LARGE', 'Image larger than 8 MiB');
}

const jpegName = (name: string): string => `${(name || 'image').replace(/\.[^.]*$/, '')}.jpg`;

async function asArgs(
  blob: Blob,
  mime: AcceptedMime,
  width: number,
  height: number,
  name: string,
): Promise<IpcArgs<'media.upload'>> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: name || 'image', mime, data_base64: btoa(binary), width, height };
}
