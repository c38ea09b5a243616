import type { ImageContent, WireError } from '../../src-shared/protocol';
import type { z } from 'zod';

/** Smallest real images of each accepted type (1×1), for upload tests. */
export const IMAGES = {
  'image/png': Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  'image/gif': Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]),
  'image/webp': Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([0x1a, 0, 0, 0]),
    Buffer.from('WEBPVP8L'),
    Buffer.alloc(14),
  ]),
} as const;

export type UploadAnswer =
  { ok: true; status: number; image: z.infer<typeof ImageContent> } | { ok: false; status: number; error: WireError };

/** POST /v1/media as documented in docs/protocol.md §2: raw bytes, Content-Type, width/height in the query. */
export async function uploadImage(
  baseUrl: string,
  token: string | null,
  bytes: Uint8Array,
  options: { mime?: string; width?: number; height?: number } = {},
): Promise<UploadAnswer> {
  const res = await fetch(`${baseUrl}/v1/media?width=${options.width ?? 1}&height=${options.height ?? 1}`, {
    method: 'POST',
    headers: {
      'content-type': options.mime ?? 'image/png',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
  });
  const json = (await res.json()) as { error?: WireError };
  return res.ok
    ? { ok: true, status: res.status, image: json as z.infer<typeof ImageContent> }
    : { ok: false, status: res.status, error: json.error! };
}
