import type { IpcArgs } from '../../../src-shared/ipc';

const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
type AcceptedMime = (typeof ACCEPTED)[number];
export const IMAGE_ACCEPT = ACCEPTED.join(',');
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

function isAccepted(mime: string): mime is AcceptedMime {
  return (ACCEPTED as readonly string[]).includes(mime);
}

/** A pasted or picked image as the upload call wants it: bytes in base64 plus its pixel size. */
export async function readImageFile(file: File): Promise<IpcArgs<'media.upload'>> {
  if (!isAccepted(file.type))
    throw Object.assign(new Error(`Unsupported image type ${file.type || 'unknown'}`), { code: 'IMAGE_TYPE' });
  if (file.size > MAX_IMAGE_BYTES)
    throw Object.assign(new Error('Image larger than 8 MiB'), { code: 'PAYLOAD_TOO_LARGE' });
  const bitmap = await createImageBitmap(file);
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name || 'image', mime: file.type, data_base64: btoa(binary), ...size };
}
