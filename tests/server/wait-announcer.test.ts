import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger';
import { SqliteStore } from '../../src-server';
import { DEFAULT_CONFIG } from '../../src-server/config';
import { showsWaitToColleagues, waitAnnouncementRecipients, waitFlagAfterSend } from '../../src-server/domain/waits';
import {
  ANNOUNCE_BATCH_LINES,
  ANNOUNCE_MAX_STEPS,
  WaitAnnouncer,
  announceCutoff,
  waitAnnounceFromEnv,
  type WaitAnnouncerOptions,
} from '../../src-server/inbox/wait-announcer';
import type { InboxHead, LineRecord, LineWriteOutcome, WaitAnnouncement } from '../../src-server/store/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (patch: Partial<LineRecord> = {}): LineRecord => ({
  line_id: '1',
  uid: 'c',
  customer_name: 'C',
  object: { object_id: 'o', kind: 'room', title: 'O', merchant_id: 'm' },
  merchant_id: 'm',
  busi_type: 'consult',
  status: 'open',
  assignee: 'a',
  assignee_name: 'A',
  created_at: 0,
  last_message_at: 10,
  waiting_since: 10,
  waiting_announced: false,
  customer_read_message_id: null,
  staff_read_message_id: null,
  ...patch,
});

describe('long-wait rules and schedule (pure)', () => {
  it('colleagues are every staff member but the assignee', () => {
    expect(waitAnnouncementRecipients(line({ assignee: 'b' }), ['c2', 'a', 'b', 'a'])).toEqual(['a', 'c2']);
    expect(waitAnnouncementRecipients(line({ assignee: 'a' }), ['a'])).toEqual([]);
  });

  it('a snapshot everyone gets shows a wait only on an assigned line that is not resolved', () => {
    expect(showsWaitToColleagues(line())).toBe(true);
    expect(showsWaitToColleagues(line({ waiting_since: null }))).toBe(false);
    expect(showsWaitToColleagues(line({ assignee: null }))).toBe(false);
    expect(showsWaitToColleagues(line({ status: 'resolved' }))).toBe(false);
    expect(showsWaitToColleagues(line({ status: 'pending' }))).toBe(true);
  });

  it('after a send: only the end of an announced wait fans out', () => {
    // A customer starts or continues a wait: never an event for colleagues.
    expect(waitFlagAfterSend(line(), false)).toEqual({ waiting_announced: false, announceEnd: false });
    expect(waitFlagAfterSend(line({ waiting_announced: true }), false)).toEqual({
      waiting_announced: true,
      announceEnd: false,
    });
    // Staff answer: the end goes out only when the wait was announced.
    expect(waitFlagAfterSend(line({ waiting_since: null }), false)).toEqual({
      waiting_announced: false,
      announceEnd: false,
    });
    expect(waitFlagAfterSend(line({ waiting_since: null, waiting_announced: true }), false)).toEqual({
      waiting_announced: false,
      announceEnd: true,
    });
    // The send changes the line anyway (created, assigned, reopened): the flag follows that snapshot.
    expect(waitFlagAfterSend(line(), true)).toEqual({ waiting_announced: true, announceEnd: false });
    expect(waitFlagAfterSend(line({ waiting_since: null, waiting_announced: true }), true)).toEqual({
      waiting_announced: false,
      announceEnd: false,
    });
    expect(waitFlagAfterSend(line({ assignee: null }), true)).toEqual({ waiting_announced: false, announceEnd: false });
  });

  it('reads IM_WAIT_ANNOUNCE_AFTER_S in seconds and names it when it is malformed', () => {
    expect(waitAnnounceFromEnv({})).toEqual({});
    expect(waitAnnounceFromEnv({ IM_WAIT_ANNOUNCE_AFTER_S: '300' })).toEqual({ waitAnnounceAfterMs: 300_000 });
    expect(waitAnnounceFromEnv({ IM_WAIT_ANNOUNCE_AFTER_S: '0' })).toEqual({ waitAnnounceAfterMs: 0 });
    for (const bad of ['-1', 'soon', 'Infinity'])
      expect(() => waitAnnounceFromEnv({ IM_WAIT_ANNOUNCE_AFTER_S: bad })).toThrow(
        `bad IM_WAIT_ANNOUNCE_AFTER_S ${bad}`,
      );
  });

  it('the cutoff is the threshold before now; 0 switches announcing off', () => {
    expect(DEFAULT_CONFIG.waitAnnounceAfterMs).toBe(120_000);
    expect(announceCutoff({ waitAnnounceAfterMs: 120_000, waitAnnounceIntervalMs: 15_000 }, 1_000_000)).toBe(880_000);
    expect(announceCutoff({ waitAnnounceAfterMs: 0, waitAnnounceIntervalMs: 15_000 }, 1_000_000)).toBeNull();
  });
});

describe('WaitAnnouncer', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const outcome = (lineId: string, uids: string[]): LineWriteOutcome => ({
    line: line({ line_id: lineId, waiting_announced: true }),
    heads: uids.map((uid, i) => ({ uid, seq: i + 1, event: `{"seq":${i + 1}}` })),
  });

  /** A store that records each step and answers from `answer`; a hub that records each publish. */
  function fakes(answer: (input: WaitAnnouncement, n: number) => Promise<LineWriteOutcome[]> | LineWriteOutcome[]) {
    const calls: WaitAnnouncement[] = [];
    const published: InboxHead[][] = [];
    return {
      calls,
      published,
      store: {
        announceWaits: async (input: WaitAnnouncement) => {
          calls.push(input);
          return answer(input, calls.length);
        },
      },
      hub: {
        publishInbox: (heads: readonly InboxHead[]) => {
          published.push([...heads]);
          return Promise.resolve();
        },
      },
    };
  }

  function announcer(f: Pick<WaitAnnouncerOptions, 'store' | 'hub'>, over: Partial<WaitAnnouncerOptions> = {}) {
    const { logger, lines } = captureLogger();
    const a = new WaitAnnouncer({
      ...f,
      config: { waitAnnounceAfterMs: 120_000, waitAnnounceIntervalMs: 15_000 },
      now: () => 1_000_000,
      random: () => 0.5,
      logger,
      ...over,
    });
    cleanups.push(() => a.close());
    return { a, lines };
  }

  it('refuses settings that make no sense', () => {
    const f = fakes(() => []);
    expect(() => announcer(f, { config: { waitAnnounceAfterMs: -1, waitAnnounceIntervalMs: 10 } })).toThrow(
      /waitAnnounceAfterMs/,
    );
    expect(() => announcer(f, { config: { waitAnnounceAfterMs: 10, waitAnnounceIntervalMs: 0 } })).toThrow(
      /waitAnnounceIntervalMs/,
    );
    expect(() => announcer(f, { config: { waitAnnounceAfterMs: Number.NaN, waitAnnounceIntervalMs: 10 } })).toThrow(
      /waitAnnounceAfterMs/,
    );
  });

  it('steps while batches come back full, publishes each batch’s heads, logs at debug', async () => {
    const f = fakes((_input, n) =>
      n === 1 ? [outcome('1', ['b', 'c']), outcome('2', ['b'])] : n === 2 ? [outcome('3', [])] : [],
    );
    const { a, lines } = announcer(f, { batch: 2 });
    expect(await a.run()).toBe(3);
    expect(f.calls).toEqual([
      { cutoff: 880_000, now: 1_000_000, limit: 2 },
      { cutoff: 880_000, now: 1_000_000, limit: 2 },
    ]);
    // The second batch had no colleagues to tell: nothing to publish.
    expect(f.published.map((heads) => heads.map((h) => h.uid))).toEqual([['b', 'c', 'b']]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 20, msg: 'long waits announced', announced: 3, steps: 2 }),
    );
    expect(a.stats).toEqual({ runs: 1, announced: 3, failures: 0 });
  });

  it('says nothing when nothing waits long, and joins a run in progress', async () => {
    const f = fakes(async () => {
      await sleep(20);
      return [];
    });
    const { a, lines } = announcer(f);
    const [x, y] = await Promise.all([a.run(), a.run()]);
    expect([x, y, f.calls.length]).toEqual([0, 0, 1]);
    expect(f.calls[0]!.limit).toBe(ANNOUNCE_BATCH_LINES);
    expect(f.published).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('a backlog goes out over several runs, at most ANNOUNCE_MAX_STEPS steps each', async () => {
    const f = fakes((_input, n) => [outcome(String(n), ['b'])]);
    const { a } = announcer(f, { batch: 1 });
    expect(await a.run()).toBe(ANNOUNCE_MAX_STEPS);
    expect(await a.run()).toBe(ANNOUNCE_MAX_STEPS);
    expect(f.calls).toHaveLength(2 * ANNOUNCE_MAX_STEPS);
  });

  it('a failing store or hub is logged and counted; the next run picks up the rest', async () => {
    let hubDown = false;
    const f = fakes((_input, n) => {
      if (n === 2) throw new Error('database is locked');
      return n === 1 ? [outcome('1', ['b'])] : [outcome('2', ['c'])];
    });
    const { a, lines } = announcer(f, {
      batch: 1,
      hub: {
        publishInbox: (heads) => {
          if (hubDown) return Promise.reject(new Error('redis down'));
          f.published.push([...heads]);
          return Promise.resolve();
        },
      },
    });
    expect(await a.run()).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'announcing long waits failed; the next run picks up the rest',
        announced: 1,
      }),
    );
    hubDown = true;
    expect(await a.run()).toBe(1);
    expect(a.stats).toEqual({ runs: 2, announced: 2, failures: 2 });
    expect(f.published.map((heads) => heads.map((h) => h.uid))).toEqual([['b']]);
  });

  it('runs on its jittered schedule until closed; close waits for the run in progress', async () => {
    let inFlight = 0;
    const f = fakes(async () => {
      inFlight++;
      await sleep(15);
      inFlight--;
      return [];
    });
    const { a } = announcer(f, { config: { waitAnnounceAfterMs: 1_000, waitAnnounceIntervalMs: 30 } });
    a.start();
    a.start();
    await sleep(10);
    expect(f.calls).toHaveLength(0);
    while (f.calls.length < 3) await sleep(5);
    await a.close();
    expect(inFlight).toBe(0);
    const after = f.calls.length;
    await sleep(80);
    expect(f.calls.length).toBe(after);
  });

  it('with a threshold of 0 it never runs', async () => {
    const f = fakes(() => []);
    const { a } = announcer(f, { config: { waitAnnounceAfterMs: 0, waitAnnounceIntervalMs: 5 } });
    a.start();
    await sleep(40);
    expect(f.calls).toHaveLength(0);
  });

  it('announces a real SQLite store’s long waits in bounded steps, each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-waits-'));
    const store = new SqliteStore({ dataDir: dir });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.migrate();
    // Written straight into the tables: 130 lines assigned to staff 1 of 5, waiting for 1 to 130
    // minutes; 10 more lines resolved or answered.
    const now = 1_000 * 60_000;
    store.db.transaction(() => {
      store.db.prepare("INSERT INTO merchants VALUES ('m', 'M', 0)").run();
      store.db.prepare("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')").run();
      const user = store.db.prepare(
        'INSERT INTO users (uid, account, password_hash, role, display_name, merchant_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
      );
      const head = store.db.prepare("INSERT INTO inbox_heads (uid, epoch, seq) VALUES (?, 'e', 0)");
      for (let uid = 1; uid <= 5; uid++) {
        user.run(uid, `s${uid}`, 'x', 'staff', `S${uid}`, 'm');
        head.run(uid);
      }
      const lineRow = store.db.prepare(
        "INSERT INTO lines (uid, object_id, busi_type, merchant_id, status, assignee, created_at, last_message_at, waiting_since) VALUES (?, 'o', 'consult', 'm', ?, 1, 0, ?, ?)",
      );
      for (let i = 1; i <= 140; i++) {
        const uid = 100 + i;
        user.run(uid, `c${uid}`, 'x', 'customer', `C${uid}`, null);
        head.run(uid);
        const since = now - i * 60_000;
        lineRow.run(uid, i > 135 ? 'resolved' : 'open', since, i > 130 && i <= 135 ? null : since);
      }
    })();
    const { logger, lines } = captureLogger();
    const published: InboxHead[] = [];
    const a = new WaitAnnouncer({
      store,
      hub: { publishInbox: (heads) => Promise.resolve(void published.push(...heads)) },
      config: { waitAnnounceAfterMs: 120_000, waitAnnounceIntervalMs: 15_000 },
      now: () => now,
      random: Math.random,
      logger,
    });
    cleanups.push(() => a.close());
    // Waits of 2 minutes and more: lines 2..130.
    expect(await a.run()).toBe(129);
    expect(lines.find((l) => l.msg === 'long waits announced')).toMatchObject({ announced: 129, steps: 3 });
    // Four colleagues per line; the assignee and the customers get nothing.
    expect(published).toHaveLength(129 * 4);
    for (const uid of ['2', '3', '4', '5']) {
      const page = await store.sync(uid, null, 500);
      expect(page.events).toHaveLength(129);
      expect(new Set(page.events.map((e) => e.kind === 'line' && e.line.line_id)).size).toBe(129);
      // Oldest wait first.
      expect(page.events[0]).toMatchObject({ kind: 'line', line: { waiting_since: now - 130 * 60_000 } });
    }
    expect((await store.inboxHead('1')).seq).toBe(0);
    expect((await store.inboxHead('101')).seq).toBe(0);
    expect(await a.run()).toBe(0);
  });
});
