import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toStoreError } from './errors';
import { migrate } from './migrations';

export interface OpenOptions {
  /** How long to wait for another connection's lock before STORE_LOCKED. */
  busyTimeoutMs: number;
}

/**
 * Open (creating if needed) an account database: WAL so the UI's reads never wait for a sync
 * page's write, then migrate. Any failure — a damaged file, a lock held elsewhere, a full disk —
 * comes out as a StoreError and the file is left exactly as it was.
 */
export function openDatabase(path: string, options: OpenOptions): Database.Database {
  let db: Database.Database | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: options.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw toStoreError(err, path);
  }
}

/** One database per signed-in account and server, under the data folder. */
export function accountDatabasePath(dataDir: string, serverUrl: string, uid: string): string {
  const server = new URL(serverUrl).host.replace(/[^0-9A-Za-z.-]/g, '_');
  const user = uid.replace(/[^0-9A-Za-z._-]/g, '_');
  return join(dataDir, 'accounts', `${user}@${server}`, 'messages.db');
}
