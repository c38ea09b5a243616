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

  it('group-commits concurrent sends; a failing send rolls back only itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-store-'));
    const store = new SqliteStore({ dataDir: dir });
    try {
      await store.migrate();
      await store.putMerchant({ merchant_id: 'm', name: 'M' }, 0);
      await store.putObject({ object_id: 'o', kind: 'room', title: 'O', merchant_id: 'm' });
      const { account: cust } = await store.ensureAccount(
        { account: 'c', password_hash: 'x', role: 'customer', display_name: 'C', merchant_id: null },
        0,
      );
      const base = {
        sender: cust,
        device_id: 'd',
        content: { type: 'text' as const, text: 'x' },
        now: 1,
        onlineStaff: new Set<string>(),
        stickyWindowMs: 0,
      };
      const results = await Promise.allSettled([
        store.send({
          ...base,
          random_id: 'abcdef-000000000001',
          target: { to: { object_id: 'o', busi_type: 'consult' } },
        }),
        store.send({
          ...base,
          random_id: 'abcdef-000000000002',
          target: { to: { object_id: 'missing', busi_type: 'consult' } },
        }),
        store.send({
          ...base,
          random_id: 'abcdef-000000000003',
          target: { to: { object_id: 'o', busi_type: 'consult' } },
        }),
        store.send({
          ...base,
          random_id: 'abcdef-000000000001',
          target: { to: { object_id: 'o', busi_type: 'consult' } },
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const values = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
      expect(values[3]).toMatchObject({ duplicate: true, seq: values[0]!.seq });
      const page = await store.sync(cust.uid, null, 10);
      expect(page.events.map((e) => e.seq)).toEqual([1, 2]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
