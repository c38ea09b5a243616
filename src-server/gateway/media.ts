import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ImageContent, describeIssues, wireError, type WireError } from '../../src-shared/protocol';
import { authenticate, bearer } from '../im/authenticate';
import { toWireError } from '../im/errors';
import type { ImContext } from '../im/handlers';
import { KeyedBuckets } from '../im/rate-limit';
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
import { sendError } from './http-errors';

const UploadQuery = z.object({
  width: z.coerce.number().pipe(ImageContent.shape.width),
  height: z.coerce.number().pipe(ImageContent.shape.height),
});

const ReadQuery = z.object({ access_token: z.string().max(4096).optional() });

interface Upload {
  mime: MediaMime;
  width: number;
  height: number;
}

/**
 * Images: `POST /v1/media` stores one (raw bytes, Content-Type image/png|jpeg|webp|gif, width and
 * height in the query) under its content address and answers the ImageContent to send;
 * `GET /v1/media/<sha256>.<ext>` serves it to any signed-in user. Registered in its own scope
 * because upload bodies are binary and far larger than protocol frames.
 */
export async function registerMediaRoutes(app: FastifyInstance, ctx: ImContext): Promise<void> {
  const { config, media } = ctx;
  const buckets = new KeyedBuckets(config.mediaUploadRatePerSecond, config.mediaUploadBurst);
  const uploads = new WeakMap<FastifyRequest, Upload>();

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
      const query = UploadQuery.safeParse(req.query);
      if (!query.success) return wireError('BAD_PACKET', describeIssues(query.error));
      const declared = Number(req.headers['content-length']);
      if (declared > config.maxMediaBytes)
        return wireError('PAYLOAD_TOO_LARGE', `image exceeds ${config.maxMediaBytes} bytes`);
      const wait = buckets.for(auth.account.uid, ctx.now()).take(ctx.now());
      if (wait !== null) return wireError('RATE_LIMITED', 'too many uploads', wait);
      return { mime, ...query.data };
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
        const name = mediaName(createHash('sha256').update(bytes).digest('hex'), upload.mime);
        await media.put(name, bytes);
        const content: z.infer<typeof ImageContent> = {
          type: 'image',
          url: mediaUrl(name),
          mime: upload.mime,
          width: upload.width,
          height: upload.height,
        };
        return content;
      },
    );

    scope.get(`${MEDIA_PATH}/:name`, async (req, res) => {
      const query = ReadQuery.safeParse(req.query);
      const token = bearer(req.headers.authorization) ?? (query.success ? (query.data.access_token ?? null) : null);
      const auth = await authenticate(ctx, token);
      if (!auth.ok) return sendError(res, auth.error, false);
      const { name } = req.params as { name: string };
      const mime = mimeOfMediaName(name);
      const found = mime === null ? null : await media.read(name);
      if (mime === null || found === null) return sendError(res, wireError('NOT_FOUND', 'no such image'), false);
      // Content-addressed objects never change: cache for a year, revalidate by name.
      const etag = `"${name.split('.')[0]!}"`;
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
