import { ClientError } from '../core/errors';

/**
 * A database problem as a typed error. The store never deletes or replaces a database that
 * fails: it says what is wrong and leaves the file for the user (or support) to recover.
 */
export class StoreError extends ClientError {
  constructor(
    code: 'STORE_CORRUPT' | 'STORE_LOCKED' | 'STORE_FULL' | 'STORE_TOO_NEW' | 'STORE_FAILED',
    message: string,
    readonly sqliteCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(code, message, null, options);
    this.name = 'StoreError';
  }
}

/** Translate better-sqlite3's SqliteError (code like SQLITE_CORRUPT_VTAB) into a StoreError. */
export function toStoreError(err: unknown, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const sqliteCode =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : null;
  const detail = err instanceof Error ? err.message : String(err);
  const at = `${detail} (${path})`;
  if (sqliteCode?.startsWith('SQLITE_CORRUPT') || sqliteCode === 'SQLITE_NOTADB') {
    return new StoreError('STORE_CORRUPT', `the message database is damaged: ${at}`, sqliteCode, { cause: err });
  }
  if (sqliteCode?.startsWith('SQLITE_BUSY') || sqliteCode?.startsWith('SQLITE_LOCKED')) {
    return new StoreError('STORE_LOCKED', `the message database is locked by another process: ${at}`, sqliteCode, {
      cause: err,
    });
  }
  if (sqliteCode === 'SQLITE_FULL' || /ENOSPC/.test(detail)) {
    return new StoreError('STORE_FULL', `no space left for the message database: ${at}`, sqliteCode, { cause: err });
  }
  return new StoreError('STORE_FAILED', `the message database failed: ${at}`, sqliteCode, { cause: err });
}
