import type { Readable } from 'node:stream';

/**
 * Where uploaded images live. Objects are immutable and named by their content (`<sha256>.<ext>`,
 * see names.ts), so writing the same name twice is harmless and any node may serve any object.
 * `FileMediaStore` keeps them under the data directory; a cluster plugs in shared storage.
 */
export interface MediaStore {
  /** Store `bytes` under `name`. Idempotent; an object is visible only once completely written. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  has(name: string): Promise<boolean>;
  /** The object's bytes as a stream, or null when there is none by that name. */
  read(name: string): Promise<{ size: number; body: Readable } | null>;
}
