import http, { type Agent } from 'node:http';
import https from 'node:https';
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
}

/**
 * POST /v1/media (docs/protocol.md §8 "Images"): the raw bytes under their own Content-Type (the
 * server reads the size itself). Resolves to the ImageContent to send; rejects with a ClientError
 * carrying the server's code (TOKEN_EXPIRED, PAYLOAD_TOO_LARGE, INVALID_ARGUMENT, RATE_LIMITED …)
 * or NETWORK/TIMEOUT. Uploads are content-addressed, so repeating one is harmless.
 */
export async function uploadMedia(
  serverUrl: string,
  upload: MediaUpload,
  o: { token: string; deviceId: string; timeoutMs: number; agent?: Agent | undefined },
): Promise<UploadedImage> {
  const url = new URL('/v1/media', serverUrl);
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

export interface FetchedMedia {
  bytes: Buffer;
  /** The Content-Type the server answered (the caller decides whether to trust it). */
  contentType: string;
}

/**
 * GET /v1/media/<sha256>.<ext> (protocol §8) with the session's bearer token, over node:http(s)
 * so the host's Agent (system proxy) applies as for every other request. Resolves to the bytes;
 * rejects with a ClientError carrying the server's code (TOKEN_EXPIRED, NOT_FOUND …), or
 * NETWORK/TIMEOUT, or PAYLOAD_TOO_LARGE when the answer exceeds `maxBytes`.
 */
export function fetchMedia(
  serverUrl: string,
  path: string,
  o: { token: string; deviceId: string; timeoutMs: number; maxBytes: number; agent?: Agent | undefined },
): Promise<FetchedMedia> {
  const url = new URL(path, serverUrl);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<FetchedMedia>((resolve, reject) => {
    const fail = (err: ClientError): void => {
      clearTimeout(timer);
      request.destroy();
      reject(err);
    };
    const request = lib.get(
      url,
      { agent: o.agent, headers: { authorization: `Bearer ${o.token}`, 'x-device-id': o.deviceId, accept: 'image/*' } },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxBytes) fail(new ClientError('PAYLOAD_TOO_LARGE', `the image exceeds ${o.maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on('error', (err) => fail(new ClientError('NETWORK', err.message)));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          if (status === 200) {
            resolve({ bytes: body, contentType: String(res.headers['content-type'] ?? '') });
            return;
          }
          let json: unknown = null;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            // Not the server's error envelope (a proxy's page): the status alone says what happened.
          }
          reject(ClientError.fromWire(httpError(json, status)));
        });
      },
    );
    const timer = setTimeout(
      () => fail(new ClientError('TIMEOUT', `GET ${url.pathname} took longer than ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    request.on('error', (err) => fail(new ClientError('NETWORK', err.message)));
  });
}
