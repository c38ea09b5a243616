import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ImageContent, wireError, type WireError } from '../../src-shared/protocol';
import { authenticate, bearer } from '../im/authenticate';
import { toWireError } from '../im/errors';
import type { ImContext } from '../im/handlers';
import { KeyedBuckets } from '../im/rate-limit';
import { readImageSize, type ImageSize } from '../media/dimensions';
import { prepareUpload, type ImageLimits } from '../media/images';
import {
  MEDIA_PATH,
  MEDIA_TYPES,
  isMediaMime,
  mediaName,
  mediaUrl,
  mimeOfMediaName,
  type MediaMime,
} from '../media/names';
import { sniffImageMime } from '../media/sniff';
import { Thumbnails, type MediaObject } from '../media/thumbnails';
import { sendError } from './http-errors';

const ReadQuery = z.object({
  access_token: z.string().max(4096).optional(),
  /** `thumb`: a WebP at most THUMB_MAX_SIDE on its longest side (or the image itself when it is that small). */
  variant: z.enum(['thumb']).optional(),
});

interface Upload {
  uid: string;
  mime: MediaMime;
}

/** The protocol's bound on each side of an image (ImageContent), kept in step with the schema. */
const MAX_SIDE = Math.min(
  ImageContent.shape.width.maxValue ?? Infinity,
  ImageContent.shape.height.maxValue ?? Infinity,
);

/**
 * The size to store for an uploaded image, read from its header, or why it is refused: unreadable,
 * a side beyond the protocol's bound, or more pixels than every recipient's client should have to
 * decode (a few KiB can declare gigapixels).
 */
export function measureUpload(bytes: Uint8Array, mime: MediaMime, maxPixels: number): ImageSize | { refusal: string } {
  const size = readImageSize(bytes, mime);
  if (!size.ok) return { refusal: `the ${mime} header cannot be read: ${size.reason}` };
  const { width, height } = size;
  if (width > MAX_SIDE || height > MAX_SIDE)
    return { refusal: `the image is ${width}×${height} pixels; each side may be at most ${MAX_SIDE} pixels` };
  if (width * height > maxPixels)
    return {
      refusal: `the image is ${width}×${height} = ${width * height} pixels; at most ${maxPixels} pixels are accepted`,
    };
  return { width, height };
}

function original(name: string): MediaObject | null {
  const mime = mimeOfMediaName(name);
  return mime === null ? null : { name, mime };
}

/**
 * Images: `POST /v1/media` stores one (raw bytes, Content-Type image/png|jpeg|webp|gif) under its
 * content address — without its metadata, see prepareUpload — and answers the ImageContent to send,
 * with the size read from the stored image's header; `GET /v1/media/<sha256>.<ext>` serves it to any
 * signed-in user, `?variant=thumb` a thumbnail of it. Registered in its own
 * scope because upload bodies are binary and far larger than protocol frames.
 *
 * Older clients also put `width` and `height` in the upload's query: they are accepted and
 * ignored, since a client's claim about an image is not what the image is.
 */
export async function registerMediaRoutes(app: FastifyInstance, ctx: ImContext): Promise<void> {
  const { config, media } = ctx;
  const buckets = new KeyedBuckets(config.mediaUploadRatePerSecond, config.mediaUploadBurst);
  const uploads = new WeakMap<FastifyRequest, Upload>();
  const limits: ImageLimits = { maxPixels: config.maxImagePixels, maxAnimationPixels: config.maxAnimationPixels };
  const thumbnails = new Thumbnails(media, limits, ctx.logger);

  await app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      Object.keys(MEDIA_TYPES),
      { parseAs: 'buffer', bodyLimit: config.maxMediaBytes },
      (_req, body, next) => next(null, body),
    );
    scope.setErrorHandler((err: { statusCode?: number }, req, res) => {
      const status = err.statusCode ?? 500;
      const error =
        status === 413
          ? wireError('PAYLOAD_TOO_LARGE', `image exceeds ${config.maxMediaBytes} bytes`)
          : status >= 400 && status < 500
            ? wireError('BAD_PACKET', 'malformed upload')
            : toWireError(err, ctx.logger);
      return sendError(res, error, false);
    });

    // Everything that can refuse an upload is checked before its body is read.
    const checkUpload = async (req: FastifyRequest): Promise<WireError | Upload> => {
      const auth = await authenticate(ctx, bearer(req.headers.authorization));
      if (!auth.ok) return auth.error;
      const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!isMediaMime(mime))
        return wireError('INVALID_ARGUMENT', `Content-Type must be one of ${Object.keys(MEDIA_TYPES).join(', ')}`);
      const declared = Number(req.headers['content-length']);
      if (declared > config.maxMediaBytes)
        return wireError('PAYLOAD_TOO_LARGE', `image exceeds ${config.maxMediaBytes} bytes`);
      const wait = buckets.for(auth.account.uid, ctx.now()).take(ctx.now());
      if (wait !== null) return wireError('RATE_LIMITED', 'too many uploads', wait);
      return { uid: auth.account.uid, mime };
    };

    scope.post(
      MEDIA_PATH,
      {
        onRequest: async (req, res) => {
          const checked = await checkUpload(req);
          if ('code' in checked) return sendError(res, checked, false);
          uploads.set(req, checked);
          return undefined;
        },
      },
      async (req, res) => {
        const upload = uploads.get(req);
        const bytes = req.body;
        if (!upload || !Buffer.isBuffer(bytes) || bytes.length === 0)
          return sendError(res, wireError('BAD_PACKET', 'the body must be the image bytes'), false);
        const actual = sniffImageMime(bytes);
        if (actual !== upload.mime)
          return sendError(
            res,
            wireError('INVALID_ARGUMENT', `the bytes are ${actual ?? 'not an accepted image'}, not ${upload.mime}`),
            false,
          );
        const refuse = (refusal: string) => {
          ctx.logger.info({ uid: upload.uid, mime: upload.mime, bytes: bytes.length, refusal }, 'image refused');
          return sendError(res, wireError('INVALID_ARGUMENT', refusal), false);
        };
        const claimed = measureUpload(bytes, upload.mime, config.maxImagePixels);
        if ('refusal' in claimed) return refuse(claimed.refusal);
        const prepared = await prepareUpload(bytes, upload.mime, limits);
        if ('refusal' in prepared) return refuse(prepared.refusal);
        // What is stored is what the size must describe (a re-encode also turned the picture upright).
        const size = prepared.cleaned ? measureUpload(prepared.bytes, upload.mime, config.maxImagePixels) : claimed;
        if ('refusal' in size) return refuse(size.refusal);
        const name = mediaName(createHash('sha256').update(prepared.bytes).digest('hex'), upload.mime);
        await media.put(name, prepared.bytes);
        const content: z.infer<typeof ImageContent> = {
          type: 'image',
          url: mediaUrl(name),
          mime: upload.mime,
          width: size.width,
          height: size.height,
        };
        return content;
      },
    );

    scope.get(`${MEDIA_PATH}/:name`, async (req, res) => {
      const query = ReadQuery.safeParse(req.query);
      const token = bearer(req.headers.authorization) ?? (query.success ? (query.data.access_token ?? null) : null);
      const auth = await authenticate(ctx, token);
      if (!auth.ok) return sendError(res, auth.error, false);
      const requested = (req.params as { name: string }).name;
      const thumb = query.success && query.data.variant === 'thumb';
      const object = thumb ? await thumbnails.of(requested) : original(requested);
      const found = object === null ? null : await media.read(object.name);
      if (object === null || found === null) return sendError(res, wireError('NOT_FOUND', 'no such image'), false);
      const { mime } = object;
      // Content-addressed objects never change: cache for a year, revalidate by name.
      const etag = `"${requested.split('.')[0]!}${thumb ? '.thumb' : ''}"`;
      res
        .header('content-type', mime)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('etag', etag)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('referrer-policy', 'no-referrer');
      if (req.headers['if-none-match'] === etag) {
        found.body.destroy();
        return res.code(304).send();
      }
      return res.header('content-length', String(found.size)).send(found.body);
    });
    done();
  });
}
