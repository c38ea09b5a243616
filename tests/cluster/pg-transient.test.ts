import { afterEach, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../src-server/store/postgres/db';
import { PostgresStore } from '../../src-server/store/postgres/store';
import {
  RetryTransaction,
  isConnectionBroken,
  isTransient,
  retryDelay,
  type RetryPolicy,
} from '../../src-server/store/postgres/transient';
import { PG_URL } from './support/pg';

const pgError = (code: string): Error => Object.assign(new Error(`pg ${code}`), { code });

describe('transient database failures (policy)', () => {
  it('classifies what a retry may fix', () => {
    for (const code of ['40001', '40P01', '57P01', '57P03', '08006', '08001', '53300', 'ECONNREFUSED', 'ECONNRESET'])
      expect(isTransient(pgError(code))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransient(new RetryTransaction('lost a race'))).toBe(true);
    for (const code of ['23505', '23503', '42P01', '22P02']) expect(isTransient(pgError(code))).toBe(false);
    expect(isTransient(new Error('bug'))).toBe(false);
    // A deadlock victim's connection is fine; a terminated one is not reused.
    expect(isConnectionBroken(pgError('40P01'))).toBe(false);
    expect(isConnectionBroken(pgError('57P01'))).toBe(true);
  });

  it('backs off exponentially with jitter up to a cap; a lost race retries at once', () => {
    const policy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 500 };
    const err = pgError('40001');
    expect([1, 2, 3, 4].map((a) => retryDelay(policy, a, err, () => 0))).toEqual([50, 100, 200, 250]);
    expect([1, 2, 3, 4].map((a) => retryDelay(policy, a, err, () => 0.999))).toEqual([99, 199, 399, 499]);
    expect(retryDelay(policy, 3, new RetryTransaction('race'), () => 0.5)).toBe(0);
  });
});

describe('transient database failures (runner)', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  it('retries a transaction that hit a serialization failure or deadlock, then commits once', async () => {
    const db = new PgDatabase({ url: PG_URL, poolSize: 1, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });
    opened.push(db);
    let calls = 0;
    const out = await db.tx(async (q) => {
      calls++;
      await q.query('SELECT 1');
      if (calls === 1) throw pgError('40001');
      if (calls === 2) throw pgError('40P01');
      return 'done';
    });
    expect(out).toBe('done');
    expect(calls).toBe(3);
    expect(db.stats).toMatchObject({ retries: 2, transactions: 1, unavailable: 0 });
  });

  it('surfaces a non-transient error at once, unchanged', async () => {
    const db = new PgDatabase({ url: PG_URL, poolSize: 1 });
    opened.push(db);
    let calls = 0;
    await expect(
      db.tx(async (q) => {
        calls++;
        await q.query('SELECT * FROM no_such_table_here');
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    expect(calls).toBe(1);
  });

  it('an unreachable database becomes STORAGE_UNAVAILABLE (temporary) after a bounded number of attempts', async () => {
    const store = new PostgresStore({
      url: 'postgres://postgres@127.0.0.1:1/test',
      connectTimeoutMs: 500,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
    });
    opened.push(store);
    const started = Date.now();
    const err = await store.getLine('1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryAfterMs: 1000 });
    expect((err as { toWire(): unknown }).toWire()).toMatchObject({ code: 'STORAGE_UNAVAILABLE', temporary: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(store.db.stats).toMatchObject({ retries: 2, unavailable: 1 });
  });
});
