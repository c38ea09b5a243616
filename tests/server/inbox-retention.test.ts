import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger';
import { SqliteStore } from '../../src-server';
import { TRIM_BATCH_EVENTS, TRIM_BATCH_USERS, retentionFromEnv, trimPlan } from '../../src-server/inbox/retention';
import { InboxTrimmer, type InboxTrimmerOptions } from '../../src-server/inbox/trimmer';
import type { InboxTrim, InboxTrimStep } from '../../src-server/store/types';

const DAY = 24 * 3600_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('retention settings and schedule (pure)', () => {
  it('plans a run from the settings; 0 switches a rule off, both off is no run', () => {
    expect(trimPlan({ inboxRetentionMs: 0, inboxMaxEvents: 0 }, 1_000)).toBeNull();
    expect(trimPlan({ inboxRetentionMs: 30 * DAY, inboxMaxEvents: 0 }, 100 * DAY)).toEqual({
      olderThan: 70 * DAY,
      keepNewest: null,
      limit: TRIM_BATCH_EVENTS,
      users: TRIM_BATCH_USERS,
    });
    expect(trimPlan({ inboxRetentionMs: 0, inboxMaxEvents: 20_000 }, 5)).toMatchObject({
      olderThan: null,
      keepNewest: 20_000,
    });
  });

  it('reads IM_INBOX_RETENTION_DAYS and IM_INBOX_MAX_EVENTS, naming a bad one', () => {
    expect(retentionFromEnv({})).toEqual({});
    expect(retentionFromEnv({ IM_INBOX_RETENTION_DAYS: '7', IM_INBOX_MAX_EVENTS: '500' })).toEqual({
      inboxRetentionMs: 7 * DAY,
      inboxMaxEvents: 500,
    });
    expect(retentionFromEnv({ IM_INBOX_RETENTION_DAYS: '0.5', IM_INBOX_MAX_EVENTS: '0' })).toEqual({
      inboxRetentionMs: DAY / 2,
      inboxMaxEvents: 0,
    });
    expect(() => retentionFromEnv({ IM_INBOX_RETENTION_DAYS: 'a month' })).toThrow(/IM_INBOX_RETENTION_DAYS/);
    expect(() => retentionFromEnv({ IM_INBOX_RETENTION_DAYS: '-1' })).toThrow(/IM_INBOX_RETENTION_DAYS/);
    expect(() => retentionFromEnv({ IM_INBOX_MAX_EVENTS: '1.5' })).toThrow(/IM_INBOX_MAX_EVENTS/);
  });
});

describe('InboxTrimmer', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A store that records each step and answers from `answer`. */
  function fakeStore(answer: (t: InboxTrim, n: number) => Promise<InboxTrimStep> | InboxTrimStep) {
    const calls: InboxTrim[] = [];
    return {
      calls,
      store: {
        trimInbox: async (t: InboxTrim) => {
          calls.push(t);
          return answer(t, calls.length);
        },
      },
    };
  }

  function trimmer(store: InboxTrimmerOptions['store'], over: Partial<InboxTrimmerOptions> = {}) {
    const { logger, lines } = captureLogger();
    const t = new InboxTrimmer({
      store,
      config: { inboxRetentionMs: 30 * DAY, inboxMaxEvents: 20_000 },
      now: () => 100 * DAY,
      random: () => 0.5,
      logger,
      ...over,
    });
    cleanups.push(() => t.close());
    return { t, lines };
  }

  it('refuses settings that make no sense', () => {
    const { store } = fakeStore(() => ({ deleted: 0, next: null }));
    expect(() => trimmer(store, { config: { inboxRetentionMs: -1, inboxMaxEvents: 10 } })).toThrow(/inboxRetentionMs/);
    expect(() => trimmer(store, { config: { inboxRetentionMs: 0, inboxMaxEvents: 2.5 } })).toThrow(/inboxMaxEvents/);
  });

  it('walks every inbox step by step, then logs what it deleted', async () => {
    const { store, calls } = fakeStore((_t, n) => ({ deleted: n === 2 ? 0 : 7, next: n < 3 ? String(n * 10) : null }));
    const { t, lines } = trimmer(store);
    expect(await t.run()).toBe(14);
    expect(calls.map((c) => c.from)).toEqual([null, '10', '20']);
    expect(calls[0]).toMatchObject({ olderThan: 70 * DAY, keepNewest: 20_000 });
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'inbox trimmed', deleted: 14, steps: 3 }));
    expect(t.stats).toEqual({ runs: 1, deleted: 14, failures: 0 });
  });

  it('says nothing when nothing was deleted, and joins a run in progress', async () => {
    const { store, calls } = fakeStore(async () => {
      await sleep(20);
      return { deleted: 0, next: null };
    });
    const { t, lines } = trimmer(store);
    const [a, b] = await Promise.all([t.run(), t.run()]);
    expect([a, b, calls.length]).toEqual([0, 0, 1]);
    expect(lines.filter((l) => l.msg === 'inbox trimmed')).toEqual([]);
  });

  it('a failing store is logged and counted; the next run starts over', async () => {
    const { store, calls } = fakeStore((_t, n) => {
      if (n === 2) throw new Error('database is locked');
      return { deleted: 3, next: n === 1 ? '5' : null };
    });
    const { t, lines } = trimmer(store);
    expect(await t.run()).toBe(3);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'inbox trim failed; the next run starts over', deleted: 3 }),
    );
    expect(await t.run()).toBe(3);
    expect(calls.map((c) => c.from)).toEqual([null, '5', null]);
    expect(t.stats).toEqual({ runs: 2, deleted: 6, failures: 1 });
  });

  it('runs on its schedule until closed; close waits for the run in progress', async () => {
    let inFlight = 0;
    const { store, calls } = fakeStore(async () => {
      inFlight++;
      await sleep(15);
      inFlight--;
      return { deleted: 1, next: null };
    });
    const { t } = trimmer(store, { intervalMs: 30 });
    t.start();
    t.start();
    await sleep(10);
    expect(calls).toHaveLength(0);
    while (calls.length < 3) await sleep(5);
    await t.close();
    expect(inFlight).toBe(0);
    const after = calls.length;
    await sleep(80);
    expect(calls.length).toBe(after);
  });

  it('with both limits off it never runs', async () => {
    const { store, calls } = fakeStore(() => ({ deleted: 0, next: null }));
    const { t } = trimmer(store, { intervalMs: 5, config: { inboxRetentionMs: 0, inboxMaxEvents: 0 } });
    t.start();
    await sleep(40);
    expect(calls).toHaveLength(0);
  });

  it('trims a real SQLite store in bounded steps: thousands of events, more inboxes than one step looks at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-retention-'));
    const store = new SqliteStore({ dataDir: dir });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.migrate();
    // Written straight into the tables: 1,500 inboxes (more than one step looks at), one of them
    // with 5,000 events (more than one step deletes), all 40 days old except the newest 10.
    const now = 100 * DAY;
    const event = (uid: number, seq: number) =>
      JSON.stringify({ kind: 'read', seq, line_id: '1', message_id: '1', uid: String(uid) });
    store.db.transaction(() => {
      const user = store.db.prepare(
        "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (?, ?, 'x', 'customer', 'C', 0)",
      );
      const head = store.db.prepare('INSERT INTO inbox_heads (uid, epoch, seq) VALUES (?, ?, ?)');
      const row = store.db.prepare('INSERT INTO inbox (uid, seq, event, created_at) VALUES (?, ?, ?, ?)');
      for (let uid = 1; uid <= 1_500; uid++) {
        const seqs = uid === 1_200 ? 5_000 : 3;
        user.run(uid, `c${uid}`);
        head.run(uid, 'e', seqs);
        for (let seq = 1; seq <= seqs; seq++)
          row.run(uid, seq, event(uid, seq), uid === 1_200 && seq > seqs - 10 ? now - DAY : now - 40 * DAY);
      }
    })();
    const { logger, lines } = captureLogger();
    const t = new InboxTrimmer({
      store,
      config: { inboxRetentionMs: 30 * DAY, inboxMaxEvents: 20_000 },
      now: () => now,
      random: Math.random,
      logger,
    });
    cleanups.push(() => t.close());
    const deleted = await t.run();
    // The busy inbox keeps its 10 recent events; every other inbox only its head.
    expect(deleted).toBe(5_000 - 10 + 1_499 * 2);
    const busy = await store.sync('1200', null, 500);
    expect(busy.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_v, i) => 4_991 + i));
    expect((await store.sync('7', null, 500)).events.map((e) => e.seq)).toEqual([3]);
    const log = lines.find((l) => l.msg === 'inbox trimmed');
    expect(log).toMatchObject({ deleted });
    expect(log!.steps).toBeGreaterThanOrEqual(Math.ceil(5_000 / TRIM_BATCH_EVENTS) + 1);
    expect(await t.run()).toBe(0);
  });
});
