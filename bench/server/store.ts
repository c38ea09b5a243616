/**
 * `npx tsx bench/server/store.ts` — the embedded store's share of a hop, without sockets.
 *
 * SqliteStore.send as the server calls it: customer/staff pairs on assigned lines, `--batch` sends
 * per event-loop turn (the store group-commits each turn; the WebSocket bench runs about ten per
 * turn, long-polling about two). Reports CPU per send and, measured apart from it, the WAL frames
 * (pages) one commit writes: a count that does not move with the machine's load, unlike time, and
 * that drives most of a commit's cost.
 *
 * Options: --pairs N (default 20), --batch B (default 10), --sends S measured (default 20000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeRandomId } from '../../src-shared/protocol';
import { SqliteStore } from '../../src-server/store/sqlite/store';
import type { Account } from '../../src-server/store/types';
import { storeAccount } from '../../tests/support/store-accounts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '20' },
    batch: { type: 'string', default: '10' },
    sends: { type: 'string', default: '20000' },
  },
});
const PAIRS = Number(values.pairs);
const BATCH = Number(values.batch);
const ROUNDS = Math.max(1, Math.round(Number(values.sends) / BATCH));

interface Pair {
  customer: Account;
  staff: Account;
  lineId: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'im-store-bench-'));
const store = new SqliteStore({ dataDir, defaultCapacity: 1000 });
try {
  await store.migrate();
  const pairs = await setUp();
  let n = 0;
  /** One event-loop turn's sends: each pair alternates sides round by round, as in ping-pong. */
  const turn = (): Promise<unknown> =>
    Promise.all(
      Array.from({ length: BATCH }, () => {
        const pair = pairs[n % PAIRS]!;
        const sender = Math.floor(n / PAIRS) % 2 === 0 ? pair.customer : pair.staff;
        n++;
        return store.send({
          sender,
          device_id: 'bench',
          random_id: makeRandomId(Date.now(), Math.random),
          target: { line_id: pair.lineId },
          content: { type: 'text', text: `t:${n}` },
          now: Date.now(),
          onlineStaff: new Set(),
          stickyWindowMs: 0,
        });
      }),
    );
  // Warm up (JIT, page cache, a WAL of realistic size), then time.
  for (let i = 0; i < Math.min(ROUNDS, 500); i++) await turn();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) await turn();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
  const sends = ROUNDS * BATCH;
  const frames = await framesPerCommit(200);
  process.stdout.write(
    `store benchmark: ${PAIRS} pairs, ${BATCH} sends per commit, ${sends} sends, ${process.version}\n` +
      `cpu ${((cpu.user + cpu.system) / sends).toFixed(1)} µs/send (system ${(cpu.system / sends).toFixed(1)}), ` +
      `wall ${(wallUs / sends).toFixed(1)} µs/send, ` +
      `WAL frames ${frames.toFixed(1)} per commit (${(frames / BATCH).toFixed(2)} per send)\n`,
  );

  async function setUp(): Promise<Pair[]> {
    const now = Date.now();
    await store.putMerchant({ merchant_id: 'm-bench', name: 'Bench Hotel' }, now);
    const out: Pair[] = [];
    for (let i = 0; i < PAIRS; i++) {
      await store.putObject({ object_id: `room-${i}`, kind: 'room', title: `Room ${i}`, merchant_id: 'm-bench' });
      const staff = await storeAccount(store, `staff${i}`, 'staff', 'm-bench', { now });
      const customer = await storeAccount(store, `cust${i}`, 'customer', 'm-bench', { now });
      const opened = await store.send({
        sender: customer,
        device_id: 'bench',
        random_id: makeRandomId(now, Math.random),
        target: { to: { object_id: `room-${i}`, busi_type: 'consult' } },
        content: { type: 'text', text: 'hello' },
        now,
        onlineStaff: new Set([staff.uid]),
        stickyWindowMs: 0,
      });
      out.push({ customer, staff, lineId: opened.line.line_id });
    }
    return out;
  }

  /** Frames the WAL gains per commit, counted with checkpoints held off (then back to the default). */
  async function framesPerCommit(commits: number): Promise<number> {
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const autocheckpoint = store.db.pragma('wal_autocheckpoint', { simple: true }) as number;
    store.db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < commits; i++) await turn();
    const [result] = store.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    store.db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    return (result?.log ?? NaN) / commits;
  }
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
