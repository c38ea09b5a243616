import { Readable } from 'node:stream';
import type { PgDatabase } from '../store/postgres/db';
import type { MediaStore } from './types';

/**
 * Media in the cluster's PostgreSQL (table `media`, migration 003), so an image uploaded through one
 * node can be sent and served through any other. Images are capped at a few MiB (maxMediaBytes), so
 * a row holds the whole object and a read streams it from memory. Statements go through PgDatabase,
 * which retries transient failures like every other store write.
 */
export class PgMediaStore implements MediaStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  async put(name: string, bytes: Uint8Array): Promise<void> {
    // Names are content addresses: a row already there holds these very bytes, so a second put (or
    // a retry after a lost COMMIT) changes nothing. One statement, so the row appears complete or not at all.
    await this.db.tx((q) =>
      q.query(
        'INSERT INTO media (name, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
        [name, bytes, bytes.byteLength, this.now()],
      ),
    );
  }

  async has(name: string): Promise<boolean> {
    const { rowCount } = await this.db.read((q) => q.query('SELECT 1 FROM media WHERE name = $1', [name]));
    return (rowCount ?? 0) > 0;
  }

  async read(name: string): Promise<{ size: number; body: Readable } | null> {
    const { rows } = await this.db.read((q) =>
      q.query<{ size: number; bytes: Buffer }>('SELECT size, bytes FROM media WHERE name = $1', [name]),
    );
    const row = rows[0];
    // A Buffer is one chunk to Readable.from (it is not iterated byte by byte).
    return row === undefined ? null : { size: row.size, body: Readable.from([row.bytes]) };
  }
}
