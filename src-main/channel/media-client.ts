import type { Agent } from 'node:http';
import { ImageContent } from '../../src-shared/protocol';
import type { z } from 'zod';
import { ClientError } from '../core/errors';
import { httpJson } from './http';
import { httpError } from './poll-connection';

/** Image content as the server answers an upload and as `send` takes it. */
export type UploadedImage = z.infer<typeof ImageContent>;
export type ImageMime = UploadedImage['mime'];

export interface MediaUpload {
  bytes: Uint8Array;
  mime: ImageMime;
  width: number;
  height: number;
}

/**
 * POST /v1/media (docs/protocol.md §8 "Images"): the raw bytes under their own Content-Type, the
 * measured size in the query. Resolves to the ImageContent to send; rejects with a ClientError
 * carrying the server's code (TOKEN_EXPIRED, PAYLOAD_TOO_LARGE, INVALID_ARGUMENT, RATE_LIMITED …)
 * or NETWORK/TIMEOUT. Uploads are content-addressed, so repeating one is harmless.
 */
export async function uploadMedia(
  serverUrl: string,
  upload: MediaUpload,
  o: { token: string; deviceId: string; timeoutMs: number; agent?: Agent | undefined },
): Promise<UploadedImage> {
  const url = new URL('/v1/media', serverUrl);
  url.searchParams.set('width', String(upload.width));
  url.searchParams.set('height', String(upload.height));
  const r = await httpJson({
    method: 'POST',
    url: url.toString(),
    headers: { authorization: `Bearer ${o.token}`, 'x-device-id': o.deviceId, 'content-type': upload.mime },
    body: upload.bytes,
    timeoutMs: o.timeoutMs,
    agent: o.agent,
  }).result;
  if (!r.ok) throw ClientError.fromWire(r.error);
  if (r.status !== 200) throw ClientError.fromWire(httpError(r.json, r.status));
  const parsed = ImageContent.safeParse(r.json);
  if (!parsed.success) throw new ClientError('INTERNAL', 'the upload answer does not match the protocol');
  return parsed.data;
}
