/**
 * `npm run bench:cluster` — the IM server in cluster mode (PostgreSQL + Redis) with 1, 2 and 3 nodes,
 * beside Socket.IO with its Redis adapter relaying the same ping-pong across the same number of
 * nodes, measured in the same run and printed as ratios; then a reconnect storm: N clients on one
 * node, the node killed, time until all are back on the others and the load that put on PostgreSQL.
 *
 * PostgreSQL and Redis are instances of our own (temp dirs, spare ports; PostgreSQL with fsync on as
 * in production) so their counters see only this benchmark. Nodes and Socket.IO servers are child
 * processes; the load generator is this process. Everything shares the machine's cores.
 *
 * Database connections: PostgreSQL does best with a few busy connections per core, so the nodes
 * share a fixed total (--db-connections, 12) instead of each opening its own 10 — on this machine
 * three pools of 10 spend the two cores switching between 30 backends.
 *
 * Options: --pairs N (40) --seconds S measured per scenario (6) --warmup S (1.5) --nodes 1,2,3 --db-connections N (12)
 *          --storm N clients (5000; 0 skips) --jitter MS reconnect spread (1000) --only im|socketio|storm
 *          --profile DIR (V8 CPU profiles of the IM nodes); BENCH_FSYNC=off runs PostgreSQL without fsync
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../src-server/auth/passwords';
import { TokenIssuer } from '../../src-server/auth/tokens';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { OwnPostgres } from '../../tests/cluster/support/postgres-server';
import { OwnRedis } from '../../tests/cluster/support/redis-server';
import { drive, imPairs, socketIoPairs, type ImParty, type RelayResult } from './relay';
import { reconnectStorm, type StormClient, type StormResult } from './storm';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '1.5' },
    nodes: { type: 'string', default: '1,2,3' },
    'db-connections': { type: 'string', default: '12' },
    storm: { type: 'string', default: '5000' },
    jitter: { type: 'string', default: '1000' },
    only: { type: 'string', default: '' },
    /** Write a V8 CPU profile of each IM node into this directory. */
    profile: { type: 'string', default: '' },
  },
});
const PAIRS = Number(values.pairs);
const MEASURE_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
const NODE_COUNTS = values.nodes.split(',').map(Number);
const STORM = Number(values.storm);
const poolPerNode = (nodes: number): string => String(Math.max(2, Math.ceil(Number(values['db-connections']) / nodes)));
const wants = (part: string): boolean => values.only === '' || values.only === part;

interface Child {
  port: number;
  child: ChildProcess;
}

async function spawnChild(script: string, args: string[]): Promise<Child> {
  const profile = values.profile && script === 'im-node.ts' ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', `bench/cluster/${script}`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  lines.close();
  return { port: (JSON.parse(first) as { port: number }).port, child };
}

async function stopChild(c: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = once(c.child, 'exit');
  c.child.kill(signal);
  await exited;
}

const url = (c: Child): string => `http://127.0.0.1:${c.port}`;
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

async function main(): Promise<void> {
  const cores = (await import('node:os')).availableParallelism();
  process.stdout.write(
    `bench:cluster — ${PAIRS} pairs, ${MEASURE_MS / 1000}s measured per scenario, ${cores} cores shared by everything, ` +
      `${values['db-connections']} database connections shared by the nodes\n`,
  );
  const [pg, redis] = await Promise.all([
    OwnPostgres.start({ fsync: process.env.BENCH_FSYNC !== 'off' }),
    OwnRedis.start(),
  ]);
  const dbUrl = `${pg.url}?schema=im_bench`;
  const store = new PostgresStore({ url: dbUrl, poolSize: 8 });
  const children: Child[] = [];
  // Interrupted (Ctrl-C, timeout): still stop the database and Redis we started.
  const cleanup = (): void => {
    for (const c of children) c.child.kill('SIGKILL');
    void Promise.all([redis.stop(), pg.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  try {
    await store.migrate();
    const secret = await store.getOrCreateMeta('token_secret', () => 'bench-secret-bench-secret-bench-secret');
    const tokens = new TokenIssuer(secret, 12 * 3600_000, 0, Date.now);
    const hash = await hashPassword('pw', { N: 1 << 10, r: 8, p: 1 });
    const party = async (
      login: string,
      role: 'customer' | 'staff',
      merchant: string | null,
    ): Promise<ImParty & { uid: string }> => {
      const { account } = await store.ensureAccount(
        { account: login, password_hash: hash, role, display_name: login, merchant_id: merchant, capacity: 100 },
        Date.now(),
      );
      const { token } = await tokens.issue({ uid: account.uid, role, merchant_id: merchant });
      return { login, token, device: `${login}-dev`, uid: account.uid };
    };

    const parties: Array<{ customer: ImParty; staff: ImParty; objectId: string }> = [];
    for (let k = 0; k < PAIRS; k++) {
      await store.putMerchant({ merchant_id: `m${k}`, name: `Merchant ${k}` }, Date.now());
      await store.putObject({ object_id: `o${k}`, kind: 'room', title: `Room ${k}`, merchant_id: `m${k}` });
      parties.push({
        staff: await party(`staff${k}`, 'staff', `m${k}`),
        customer: await party(`cust${k}`, 'customer', null),
        objectId: `o${k}`,
      });
    }

    const rows: Array<{ nodes: number; im: RelayResult | null; sio: RelayResult | null }> = [];
    for (const n of NODE_COUNTS) {
      let im: RelayResult | null = null;
      let sio: RelayResult | null = null;
      if (wants('im')) {
        const nodes = await Promise.all(
          Array.from({ length: n }, (_x, i) =>
            spawnChild('im-node.ts', [dbUrl, redis.url, `bench:im${n}:`, `im${n}-${i}`, poolPerNode(n)]),
          ),
        );
        children.push(...nodes);
        const failures = { count: 0 };
        im = await drive(await imPairs(nodes.map(url), parties, failures), WARMUP_MS, MEASURE_MS, () => failures.count);
        await Promise.all(nodes.map((c) => stopChild(c)));
      }
      if (wants('socketio')) {
        const nodes = await Promise.all(
          Array.from({ length: n }, () => spawnChild('socketio-node.ts', [redis.url, `bench:sio${n}`])),
        );
        children.push(...nodes);
        const failures = { count: 0 };
        sio = await drive(
          await socketIoPairs(nodes.map(url), PAIRS, failures),
          WARMUP_MS,
          MEASURE_MS,
          () => failures.count,
        );
        await Promise.all(nodes.map((c) => stopChild(c)));
      }
      rows.push({ nodes: n, im, sio });
      const line = (name: string, r: RelayResult | null): string =>
        r
          ? `  ${name.padEnd(34)} ${fmt(r.messagesPerSecond).padStart(8)} msg/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(7)} ms   errors ${r.errors}\n`
          : '';
      process.stdout.write(
        `\n${n} node${n > 1 ? 's' : ''}\n${line('IM cluster (PostgreSQL + Redis)', im)}${line('Socket.IO + Redis adapter (no store)', sio)}`,
      );
    }

    if (rows.some((r) => r.im && r.sio)) {
      process.stdout.write(
        '\nIM / Socket.IO ratios (throughput: higher is better for IM; p99: lower is better for IM)\n',
      );
      for (const { nodes, im, sio } of rows) {
        if (!im || !sio) continue;
        process.stdout.write(
          `  ${nodes} node${nodes > 1 ? 's' : ' '}   throughput ×${fmt(im.messagesPerSecond / sio.messagesPerSecond, 2)}   p99 ×${fmt(im.p99 / sio.p99, 2)}\n`,
        );
      }
    }

    if (STORM > 0 && wants('storm')) {
      process.stdout.write(
        `\nreconnect storm: ${STORM} clients on node 1 of 3, kill -9, reconnect to nodes 2 and 3 after a random 0–${values.jitter} ms\n`,
      );
      const clients: StormClient[] = new Array<StormClient>(STORM);
      await pool(
        Array.from({ length: STORM }, (_x, i) => i),
        16,
        async (i) => {
          clients[i] = await party(`storm${i}`, 'customer', null);
        },
      );
      const nodes = await Promise.all(
        [0, 1, 2].map((i) =>
          spawnChild('im-node.ts', [dbUrl, redis.url, 'bench:storm:', `storm-${i}`, poolPerNode(3)]),
        ),
      );
      children.push(...nodes);
      const result: StormResult = await reconnectStorm({
        victimUrl: url(nodes[0]!),
        survivors: [url(nodes[1]!), url(nodes[2]!)],
        clients,
        kill: () => stopChild(nodes[0]!, 'SIGKILL'),
        pgUrl: pg.url,
        jitterMs: Number(values.jitter),
      });
      process.stdout.write(
        `  filled node 1 in ${fmt(result.connectMs / 1000, 1)} s\n` +
          `  back after the kill: 50% in ${fmt(result.backMs.p50)} ms, 99% in ${fmt(result.backMs.p99)} ms, all ${result.clients} in ${fmt(result.backMs.all)} ms` +
          ` (${result.failedAttempts} attempts retried)\n` +
          `  PostgreSQL: ${fmt(result.pg.baselineTps)} xact/s before the kill, ${fmt(result.pg.recoveryTps)} xact/s on average until all were back, ` +
          `peak ${fmt(result.pg.peakTps)} xact/s (1 s window; every autocommit read counts as one)\n` +
          `              peak ${result.pg.peakBackends} client backends, peak ${result.pg.peakActive} active at once (pools: ${poolPerNode(3)} per node)\n`,
      );
      await Promise.all(nodes.map((c) => stopChild(c)));
    }
  } finally {
    await Promise.all(children.map((c) => stopChild(c, 'SIGKILL')));
    await store.close();
    await redis.stop();
    await pg.stop();
  }
}

await main();
