import { createHash } from 'node:crypto';
import { MEDIA_URL_PATTERN } from '../../src-shared/ipc';
import { fetchMedia, type ImageMime } from '../channel/media-client';
import { ClientError, toErrorShape } from './errors';
import type { ImageCacheStore } from './image-cache';
import { withFreshToken, type MediaAccess } from './media-access';

export interface ImageFetchHost extends MediaAccess {
  /** Fetched images by media name, kept within a byte budget (`ImageCache`). */
  cache: ImageCacheStore;
  maxBytes: number;
  timeoutMs: number;
}

export interface FetchedImage {
  mime: ImageMime;
  data_base64: string;
}

const MIME_OF_EXT: Readonly<Record<string, ImageMime>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/**
 * `media.get`: the bytes of an image a message names. Server media are content-addressed and never
 * change (protocol §8), so a fetched image is kept on disk under its name and served from there —
 * also offline — until the cache's byte budget pushes it out as least recently used. The bytes are
 * checked against the sha256 in the name before they are kept, so a cache entry is the right image
 * whichever server or account fetched it.
 *
 * `variant: 'thumb'`: the server's WebP thumbnail, kept as `<sha256>.thumb.webp`, or the image itself
 * where the server says it is its own thumbnail (small or animated). A thumbnail has no name to check
 * its bytes against; it must at least be a WebP. Offline, a full image already kept stands in for it.
 */
export async function fetchImage(host: ImageFetchHost, url: string, variant?: 'thumb'): Promise<FetchedImage> {
  if (!MEDIA_URL_PATTERN.test(url))
    throw new ClientError('INVALID_ARGUMENT', 'only this server’s /v1/media/<sha256>.<ext> paths can be fetched');
  const name = url.slice(url.lastIndexOf('/') + 1);
  const [hash, ext] = name.split('.') as [string, string];
  const mime = MIME_OF_EXT[ext]!;
  const thumbName = `${hash}.thumb.webp`;
  const cachedThumb = variant === 'thumb' ? await host.cache.read(thumbName) : null;
  if (cachedThumb) return { mime: 'image/webp', data_base64: cachedThumb.toString('base64') };
  const cached = await host.cache.read(name);
  if (cached) return { mime, data_base64: cached.toString('base64') };

  if (!host.connected())
    throw new ClientError('OFFLINE', 'the image has not been downloaded yet and there is no connection to the server');
  const path = variant === 'thumb' ? `${url}?variant=thumb` : url;
  const bytes = await download(host, path);
  if (createHash('sha256').update(bytes).digest('hex') === hash) {
    await host.cache.keep(name, bytes);
    return { mime, data_base64: bytes.toString('base64') };
  }
  if (variant !== 'thumb')
    throw new ClientError('INTERNAL', 'the server answered bytes that are not the image it names');
  if (!isWebp(bytes)) throw new ClientError('INTERNAL', 'the server answered a thumbnail that is not a WebP image');
  await host.cache.keep(thumbName, bytes);
  return { mime: 'image/webp', data_base64: bytes.toString('base64') };
}

async function download(host: ImageFetchHost, path: string): Promise<Buffer> {
  const attempt = async (): Promise<Buffer> =>
    (
      await fetchMedia(host.serverUrl, path, {
        token: host.token(),
        deviceId: host.deviceId,
        timeoutMs: host.timeoutMs,
        maxBytes: host.maxBytes,
        agent: await host.agent(),
      })
    ).bytes;
  try {
    return await withFreshToken(host, attempt);
  } catch (err) {
    const shape = toErrorShape(err);
    throw ClientError.fromWire({ ...shape, message: `the image could not be loaded: ${shape.message}` });
  }
}

const isWebp = (b: Buffer): boolean =>
  b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';
