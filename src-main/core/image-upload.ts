import { createHash } from 'node:crypto';
import { uploadMedia, type ImageMime, type UploadedImage } from '../channel/media-client';
import { ClientError, toErrorShape } from './errors';
import type { ImageCacheStore } from './image-cache';
import { withFreshToken, type MediaAccess } from './media-access';

export interface ImageUploadHost extends MediaAccess {
  maxBytes: number;
  timeoutMs: number;
  /** Where the sent image is kept, so the sender's own bubble shows it without downloading it back. */
  cache: Pick<ImageCacheStore, 'keep'>;
}

export interface ImageUploadArgs {
  name: string;
  mime: ImageMime;
  data_base64: string;
  width: number;
  height: number;
}

/**
 * Bare standard base64 (a `data:` URL prefix or URL-safe alphabet is refused, not guessed at).
 * One character class and the length rule, not a grouped pattern: 11 MB strings overflow a backtracking one.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `media.upload`: the renderer's image goes to the signed-in server's media store at once and comes
 * back as the ImageContent the server made of it. Messages with images do not need this any more
 * (`message.sendImage` queues the bytes in the outbox); it stays for callers that want the server's
 * copy before deciding anything, so it fails with OFFLINE when there is no connection.
 */
export async function uploadImage(host: ImageUploadHost, args: ImageUploadArgs): Promise<UploadedImage> {
  const bytes = decodeImage(args.data_base64, host.maxBytes);
  if (!host.connected())
    throw new ClientError(
      'OFFLINE',
      `${args.name || 'the image'} was not uploaded: there is no connection to the server`,
    );
  try {
    return await uploadImageBytes(host, bytes, args.mime);
  } catch (err) {
    throw explain(err, args.name);
  }
}

/** POST the bytes (with a fresh token if the session's expired); the server's answer is the content to send. */
export async function uploadImageBytes(host: ImageUploadHost, bytes: Buffer, mime: ImageMime): Promise<UploadedImage> {
  const attempt = async (): Promise<UploadedImage> =>
    uploadMedia(
      host.serverUrl,
      { bytes, mime },
      { token: host.token(), deviceId: host.deviceId, timeoutMs: host.timeoutMs, agent: await host.agent() },
    );
  const uploaded = await withFreshToken(host, attempt);
  await keepSent(host.cache, uploaded.url, bytes);
  return uploaded;
}

const EXT_OF_MIME: Readonly<Record<ImageMime, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/**
 * The media path an image's own bytes would have (`/v1/media/<sha256>.<ext>`): what a queued image
 * names until the server's copy replaces it, and the cache entry its bubble is shown from meanwhile.
 */
export function localMediaPath(bytes: Buffer, mime: ImageMime): { url: string; name: string } {
  const name = `${createHash('sha256').update(bytes).digest('hex')}.${EXT_OF_MIME[mime]}`;
  return { url: `/v1/media/${name}`, name };
}

/** Kept under the server's name only when that name is these bytes' sha256, as every cache entry must be. */
async function keepSent(cache: Pick<ImageCacheStore, 'keep'>, url: string, bytes: Buffer): Promise<void> {
  const name = url.slice(url.lastIndexOf('/') + 1);
  if (name.split('.')[0] !== createHash('sha256').update(bytes).digest('hex')) return;
  await cache.keep(name, bytes).catch(() => undefined);
}

/** The image's bytes, refused before any network traffic when they are not base64 or too large. */
export function decodeImage(base64: string, maxBytes: number): Buffer {
  if (base64.length % 4 !== 0 || !BASE64.test(base64))
    throw new ClientError('INVALID_ARGUMENT', 'data_base64 must be the image bytes in plain base64 (no data: prefix)');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new ClientError('INVALID_ARGUMENT', 'the image is empty');
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  return bytes;
}

/**
 * An image too large for the IPC contract's own cap on `data_base64` fails its schema: say
 * PAYLOAD_TOO_LARGE (what the user can act on), not INVALID_ARGUMENT. Null for any other arguments.
 */
export function tooLargeForContract(args: unknown, maxBytes: number): ClientError | null {
  const data = (args as { data_base64?: unknown } | null)?.data_base64;
  if (typeof data !== 'string') return null;
  const bytes = Math.floor((data.length * 3) / 4);
  return bytes > maxBytes ? tooLarge(bytes, maxBytes) : null;
}

function tooLarge(bytes: number, maxBytes: number): ClientError {
  return new ClientError(
    'PAYLOAD_TOO_LARGE',
    `the image is ${megabytes(bytes)} MB; images of at most ${megabytes(maxBytes)} MB can be sent`,
  );
}

/** Keep the code (the renderer translates it), say in the message that nothing was sent and why. */
function explain(err: unknown, name: string): ClientError {
  const shape = toErrorShape(err);
  const what = name || 'the image';
  const reason =
    shape.code === 'NETWORK' || shape.code === 'TIMEOUT'
      ? `the upload of ${what} failed (${shape.message}); nothing was sent, try again`
      : shape.code === 'PAYLOAD_TOO_LARGE'
        ? `${what} is larger than the server accepts (${shape.message})`
        : `the server refused ${what}: ${shape.message}`;
  return ClientError.fromWire({ ...shape, message: reason });
}

function megabytes(n: number): string {
  return (n / (1024 * 1024)).toFixed(1);
}
