import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src-server';
import { describeStoreContract } from '../support/store-contract';

describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-store-'));
  const store = new SqliteStore({ dataDir: dir });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore specifics', () => {
  it('runs in WAL mode and maps a closed database to STORAGE_UNAVAILABLE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-store-'));
    const store = new SqliteStore({ dataDir: dir });
    try {
      await store.migrate();
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      await store.close();
      await expect(store.getLine('1')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
