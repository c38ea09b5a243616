import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A small JSON document in the user-data folder (window bounds, shell preferences). Written to a
 * temporary file and renamed, so a crash mid-write leaves the old file rather than half a new one.
 * A missing or unreadable file reads as `undefined`: these files are conveniences, never state that
 * must survive.
 */
export class JsonFile {
  constructor(readonly path: string) {}

  read(): unknown {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  write(value: unknown): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
