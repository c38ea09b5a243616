import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

/**
 * One small JSON document the core must not lose half of (session, settings, transport choice):
 * written to a temporary file, flushed, then renamed over the old one. A file that does not parse
 * against its schema reads as missing and is reported, never deleted.
 */
export class JsonDocument<S extends z.ZodType> {
  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly onInvalid: (path: string, reason: string) => void = () => {},
  ) {}

  read(): z.infer<S> | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = this.schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onInvalid(this.path, parsed.error.message);
    } catch (err) {
      this.onInvalid(this.path, err instanceof Error ? err.message : String(err));
    }
    return undefined;
  }

  write(value: z.infer<S>): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
