/**
 * `npm run bench:server` — customers and staff exchanging messages on loopback.
 *
 * Each pair plays ping-pong: the customer sends, the staff member receives and answers at once,
 * the customer receives and sends the next. Every hop is one message; its latency is from just
 * before the send call to the receiving client's handler (both clients live in this process, so
 * one clock measures both ends). Four servers, each in its own child process, same load:
 *
 *   IM server, WebSocket    — full protocol: auth, validation, SQLite commit, inbox, push
 *   IM server, long-polling — same server, POST /v1/rpc + GET /v1/poll
 *   bare ws relay           — forwards frames to the pair's other socket, stores nothing
 *   Socket.IO relay         — same relay with rooms (WebSocket transport), stores nothing
 *
 * Besides throughput and latency it reports the server process's CPU time per hop in the measured
 * window (user + system, read from the child on SIGUSR2): on a shared, noisy machine that figure
 * moves far less than msg/s.
 *
 * Options: --pairs N (default 20), --seconds S measured per scenario (default 8), --warmup S (default 1.5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { io as socketIo } from 'socket.io-client';
import WebSocket from 'ws';
import { makeRandomId } from '../../src-shared/protocol';
import { HttpClient, InboxReader, WsClient, signIn } from '../../src-server/sim/protocol-client';
import { drivePingPong, type Pair } from '../support/ping-pong';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '1.5' },
    /** Run only scenarios whose name contains this text. */
    only: { type: 'string', default: '' },
    /** Write a V8 CPU profile of each server child into this directory. */
    profile: { type: 'string', default: '' },
  },
});
const PAIRS = Number(values.pairs);
const MEASURE_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;

/** One ping-pong pair: `send(side, t)` sends a message stamped t; `onReceive(side, t)` is called per arrival. */
interface Result {
  name: string;
  messagesPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
  /** Server CPU (user + system) per hop in the measured window, microseconds. */
  cpuPerHopUs: number;
}

interface Child {
  port: number;
  child: ChildProcess;
  /** The child's CPU time so far (user + system), microseconds. */
  cpu(): Promise<number>;
}

async function startChild(kind: string): Promise<Child> {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', 'bench/server/servers.ts', kind, String(PAIRS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const cpu = async (): Promise<number> => {
    const answer = once(lines, 'line') as Promise<[string]>;
    child.kill('SIGUSR2');
    return (JSON.parse((await answer)[0]) as { cpu_us: number }).cpu_us;
  };
  child.once('exit', () => lines.close());
  return { port: (JSON.parse(first) as { port: number }).port, child, cpu };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Drive every pair's ping-pong for warmup + measure; the probe is the server's CPU time. */
async function drive(name: string, pairs: Pair[], serverCpu: () => Promise<number>): Promise<Result> {
  const { probeDelta, ...rest } = await drivePingPong(pairs, {
    warmupMs: WARMUP_MS,
    measureMs: MEASURE_MS,
    probe: serverCpu,
  });
  return { name, ...rest, cpuPerHopUs: probeDelta / Math.max(1, rest.samples) };
}

const stamp = (t: number): string => `t:${t}`;
const unstamp = (text: string): number => Number(text.slice(2));

async function imPairs(port: number, transport: 'ws' | 'poll'): Promise<Pair[]> {
  const base = `http://127.0.0.1:${port}`;
  interface Party {
    client: WsClient | HttpClient;
    reader: InboxReader;
    uid: string;
  }
  const connect = async (login: string): Promise<Party> => {
    const device = `${login}-${transport}`;
    const session = await signIn(base, login, 'pw', device);
    const client =
      transport === 'ws'
        ? await WsClient.connect(base, { token: session.token, device_id: device })
        : new HttpClient(base, session.token, device);
    const head = await client.request('sync', { cursor: null });
    const reader = new InboxReader(client, head.next);
    await reader.start();
    return { client, reader, uid: session.user.uid };
  };
  const staff: Party[] = [];
  for (let i = 0; i < PAIRS; i++) staff.push(await connect(`staff${i}`));
  const byUid = new Map(staff.map((s) => [s.uid, s]));
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const customer = await connect(`cust${i}`);
    // Open the line (assignment picks the staff member) before the measured exchange starts.
    const opened = await customer.client.request('send', {
      random_id: makeRandomId(Date.now(), Math.random),
      to: { object_id: `room-${i}`, busi_type: 'consult' },
      content: { type: 'text', text: 'hello' },
    });
    const lineId = opened.line.line_id;
    const assignee = byUid.get(opened.line.assignee ?? '');
    if (!assignee) throw new Error('line not assigned: is every staff member connected?');
    const sendAs = (who: { client: WsClient | HttpClient }, t: number): void => {
      who.client
        .request('send', {
          random_id: makeRandomId(Date.now(), Math.random),
          line_id: lineId,
          content: { type: 'text', text: stamp(t) },
        })
        .catch(() => undefined);
    };
    const pair: Pair = {
      send: (from, t) => sendAs(from === 'customer' ? customer : assignee, t),
      onReceive: () => undefined,
      close: async () => {
        await customer.reader.stop();
        await customer.client.close();
      },
    };
    const listen = (who: Party, side: 'customer' | 'staff', fromRole: 'staff' | 'customer'): void => {
      who.reader.onEvent((e) => {
        if (
          e.kind === 'message' &&
          e.line.line_id === lineId &&
          e.message.sender_role === fromRole &&
          e.message.content.type === 'text' &&
          e.message.content.text.startsWith('t:')
        ) {
          pair.onReceive(side, unstamp(e.message.content.text));
        }
      });
    };
    listen(assignee, 'staff', 'customer');
    listen(customer, 'customer', 'staff');
    pairs.push(pair);
  }
  const first = pairs[0];
  if (first) {
    const close = first.close;
    first.close = async () => {
      await close();
      for (const s of staff) {
        await s.reader.stop();
        await s.client.close();
      }
    };
  }
  return pairs;
}

async function wsRelayPairs(port: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const open = async (): Promise<WebSocket> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/?pair=${i}`, { perMessageDeflate: false });
      await once(ws, 'open');
      return ws;
    };
    const customer = await open();
    const staff = await open();
    const pair: Pair = {
      send: (from, t) =>
        (from === 'customer' ? customer : staff).send(JSON.stringify({ type: 'text', text: stamp(t) })),
      onReceive: () => undefined,
      close: async () => {
        customer.close();
        staff.close();
        await Promise.all([once(customer, 'close'), once(staff, 'close')]);
      },
    };
    customer.on('message', (d: Buffer) =>
      pair.onReceive('customer', unstamp((JSON.parse(d.toString()) as { text: string }).text)),
    );
    staff.on('message', (d: Buffer) =>
      pair.onReceive('staff', unstamp((JSON.parse(d.toString()) as { text: string }).text)),
    );
    pairs.push(pair);
  }
  return pairs;
}

async function socketIoPairs(port: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const open = async () => {
      const s = socketIo(`http://127.0.0.1:${port}`, {
        transports: ['websocket'],
        query: { pair: String(i) },
        reconnection: false,
      });
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      return s;
    };
    const customer = await open();
    const staff = await open();
    const pair: Pair = {
      send: (from, t) => void (from === 'customer' ? customer : staff).emit('msg', { type: 'text', text: stamp(t) }),
      onReceive: () => undefined,
      close: () => {
        customer.close();
        staff.close();
        return Promise.resolve();
      },
    };
    customer.on('msg', (m: { text: string }) => pair.onReceive('customer', unstamp(m.text)));
    staff.on('msg', (m: { text: string }) => pair.onReceive('staff', unstamp(m.text)));
    pairs.push(pair);
  }
  return pairs;
}

async function scenario(
  name: string,
  kind: string,
  makePairs: (port: number) => Promise<Pair[]>,
): Promise<Result | null> {
  if (!name.includes(values.only)) return null;
  const { port, child, cpu } = await startChild(kind);
  try {
    return await drive(name, await makePairs(port), cpu);
  } finally {
    await stopChild(child);
  }
}

const results: Array<Result | null> = [];
process.stdout.write(
  `server benchmark: ${PAIRS} customer/staff pairs in ping-pong, ${MEASURE_MS / 1000} s measured per scenario (after ${WARMUP_MS / 1000} s warm-up), loopback, ${process.version}\n`,
);
results.push(await scenario('bare ws relay (no persistence)', 'ws', wsRelayPairs));
results.push(await scenario('Socket.IO relay (no persistence)', 'socketio', socketIoPairs));
results.push(await scenario('IM server, WebSocket', 'im', (port) => imPairs(port, 'ws')));
results.push(await scenario('IM server, long-polling', 'im', (port) => imPairs(port, 'poll')));

const [wsRelay, sio] = results;
const pad = (s: string, n: number): string => s.padEnd(n);
const num = (x: number, digits = 1): string => x.toFixed(digits).padStart(9);
process.stdout.write(
  `\n${pad('scenario', 34)}${'msg/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'cpu µs/hop'.padStart(12)}  ratio msg/s vs ws | vs socket.io   p50 vs ws | vs socket.io\n`,
);
const ratio = (x: number, ref: Result | null | undefined, key: 'messagesPerSecond' | 'p50'): string =>
  ref ? (x / ref[key]).toFixed(2) : '-';
for (const r of results) {
  if (!r) continue;
  process.stdout.write(
    `${pad(r.name, 34)}${num(r.messagesPerSecond, 0)}${num(r.p50, 2)}${num(r.p99, 2)}${num(r.cpuPerHopUs, 0).padStart(12)}  ${ratio(r.messagesPerSecond, wsRelay, 'messagesPerSecond').padStart(17)} | ${ratio(r.messagesPerSecond, sio, 'messagesPerSecond').padEnd(12)} ${ratio(r.p50, wsRelay, 'p50').padStart(9)} | ${ratio(r.p50, sio, 'p50')}\n`,
  );
}
process.stdout.write(
  '\nmsg/s: hops delivered per second (each hop = one message sent by one side and received by the other).\n' +
    'cpu µs/hop: CPU time (user + system) the server process spent per hop while measured.\n',
);
process.stdout.write(
  'The IM server authenticates, validates, commits to SQLite (WAL) and fans out through the inbox; the relays store nothing.\n',
);
