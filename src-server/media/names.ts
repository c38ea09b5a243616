import type { ImageContent } from '../../src-shared/protocol';
import type { z } from 'zod';

export type MediaMime = z.infer<typeof ImageContent>['mime'];

/** The image types the server accepts, with the file extension each one is stored and served under. */
export const MEDIA_TYPES: Readonly<Record<MediaMime, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export const MEDIA_PATH = '/v1/media';

/** `<sha256 hex>.<ext>`: names are content addresses, so the same bytes always get the same name. */
const NAME = /^([0-9a-f]{64})\.(png|jpg|webp|gif)$/;

export function isMediaMime(value: string): value is MediaMime {
  return Object.hasOwn(MEDIA_TYPES, value);
}

export function mediaName(sha256Hex: string, mime: MediaMime): string {
  return `${sha256Hex}.${MEDIA_TYPES[mime]}`;
}

/** The type a valid media name is served as; null for anything that is not a media name (e.g. `../x`). */
export function mimeOfMediaName(name: string): MediaMime | null {
  const ext = NAME.exec(name)?.[2];
  if (ext === undefined) return null;
  return (Object.keys(MEDIA_TYPES) as MediaMime[]).find((m) => MEDIA_TYPES[m] === ext) ?? null;
}

export function mediaUrl(name: string): string {
  return `${MEDIA_PATH}/${name}`;
}

/** The media name behind a message's image url, if it is exactly one of this server's media paths. */
export function mediaNameOfUrl(url: string): string | null {
  if (!url.startsWith(`${MEDIA_PATH}/`)) return null;
  const name = url.slice(MEDIA_PATH.length + 1);
  return mimeOfMediaName(name) === null ? null : name;
}
