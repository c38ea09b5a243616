import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { MediaStore } from './types';

/** Temp files older than this are leftovers of a crash mid-upload. */
const STALE_TEMP_MS = 3600_000;

/**
 * Media on the local disk: `<dir>/<first two hex digits>/<name>`. A write goes to a temp file in
 * `<dir>/tmp` (same file system), is flushed, then renamed into place, so a reader never sees a
 * half-written object, not even after a crash. Names are validated by the caller (names.ts).
 */
export class FileMediaStore implements MediaStore {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async put(name: string, bytes: Uint8Array): Promise<void> {
    await this.prepare();
    const final = this.path(name);
    if (await this.has(name)) return;
    await mkdir(join(this.dir, name.slice(0, 2)), { recursive: true });
    const temp = join(this.dir, 'tmp', `${name}.${randomBytes(6).toString('hex')}`);
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, final);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async has(name: string): Promise<boolean> {
    return (await this.size(name)) !== null;
  }

  async read(name: string): Promise<{ size: number; body: Readable } | null> {
    const size = await this.size(name);
    // Objects are never replaced or deleted, so the file found by stat is the one streamed.
    return size === null ? null : { size, body: createReadStream(this.path(name)) };
  }

  private path(name: string): string {
    return join(this.dir, name.slice(0, 2), name);
  }

  private async size(name: string): Promise<number | null> {
    try {
      return (await stat(this.path(name))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Create the folders once and sweep temp files a crash left behind. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      const tmp = join(this.dir, 'tmp');
      await mkdir(tmp, { recursive: true });
      for (const entry of await readdir(tmp)) {
        const path = join(tmp, entry);
        const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Infinity }));
        if (this.now() - mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      }
    })().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }
}
