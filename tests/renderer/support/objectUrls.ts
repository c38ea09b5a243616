import { vi } from 'vitest';

/** jsdom has no object URLs: make `blob:` ones, remember each blob, and record what is revoked. Undo with vi.restoreAllMocks. */
export function stubObjectUrls(): { made: Map<string, Blob>; revoked: string[] } {
  const made = new Map<string, Blob>();
  const revoked: string[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    const url = `blob:merchant-im/${made.size + 1}`;
    made.set(url, blob as Blob);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => void revoked.push(url));
  return { made, revoked };
}
