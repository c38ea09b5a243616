import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, startServer, type RunningServer } from '../../src-server';
import { HttpClient, WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD, TEST_PASSWORD_COST, rid } from '../support/test-server';
import { createTestSchema, type TestSchema } from './support/pg';
import { waitUntil } from './support/ports';
import { REDIS_URL, testPrefix } from './support/redis-server';

/**
 * Two (or three) nodes in this process on the machine's PostgreSQL (a schema of their own) and Redis
 * (a prefix of their own): the live path between nodes, and assignment, capacity and presence seen
 * cluster-wide.
 */
let schema: TestSchema;
let nodes: RunningServer[];
const opened: Array<{ close(): Promise<void> }> = [];

async function startNodes(count: number, extra: { queueSweepIntervalMs?: number } = {}): Promise<void> {
  const prefix = testPrefix('live');
  nodes = [];
  for (let i = 0; i < count; i++) {
    nodes.push(
      await startServer({
        dataDir: '',
        logger: false,
        cluster: {
          dbUrl: schema.url,
          redisUrl: REDIS_URL,
          redisPrefix: prefix,
          nodeId: `live-${i}`,
          dbPoolSize: 4,
          ...extra,
        },
      }),
    );
  }
  const store = nodes[0]!.store;
  await store.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, Date.now());
  await store.putObject({ object_id: 'room', kind: 'room', title: 'Room', merchant_id: 'm1' });
}

const account = (login: string, role: 'staff' | 'customer', capacity?: number) =>
  createAccount(
    nodes[0]!.store,
    {
      account: login,
      password: TEST_PASSWORD,
      role,
      merchant_id: role === 'staff' ? 'm1' : null,
      display_name: login,
      capacity,
    },
    { cost: TEST_PASSWORD_COST },
  );

async function ws(node: RunningServer, login: string): Promise<WsClient> {
  const { token } = await signIn(node.url, login, TEST_PASSWORD, `${login}-ws`);
  const client = await WsClient.connect(node.url, { token, device_id: `${login}-ws` });
  opened.push(client);
  return client;
}
async function http(node: RunningServer, login: string): Promise<HttpClient> {
  const { token } = await signIn(node.url, login, TEST_PASSWORD, `${login}-http`);
  const client = new HttpClient(node.url, token, `${login}-http`);
  opened.push(client);
  return client;
}

beforeEach(async () => {
  schema = await createTestSchema('live');
});
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  for (const n of nodes) await n.close();
  await schema.drop();
});

describe('cluster live path', () => {
  it('a message sent through node A reaches a WebSocket on node B at once', async () => {
    await startNodes(2);
    await account('staff1', 'staff');
    await account('cust1', 'customer');
    const staff = await ws(nodes[1]!, 'staff1');
    const customer = await http(nodes[0]!, 'cust1');
    const started = Date.now();
    const ack = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room', busi_type: 'consult' },
      content: { type: 'text', text: 'hello from A' },
    });
    await staff.waitFor(
      (env) =>
        env.type === 'push' && env.topic === 'inbox' && JSON.stringify(env.body).includes(ack.message.message_id),
      2_000,
    );
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a long-poll held on node B is answered at once when node A commits', async () => {
    await startNodes(2);
    await account('staff1', 'staff');
    await account('cust1', 'customer');
    const staff = await ws(nodes[0]!, 'staff1');
    const customer = await http(nodes[1]!, 'cust1');
    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room', busi_type: 'consult' },
      content: { type: 'text', text: 'hi' },
    });
    const caughtUp = await customer.poll(null, 0);
    const held = customer.poll(caughtUp.next, 20_000);
    await new Promise((r) => setTimeout(r, 300)); // the poll is now held on B
    const sentAt = Date.now();
    const reply = await staff.request('send', {
      random_id: rid(),
      line_id: first.line.line_id,
      content: { type: 'text', text: 'answer from A' },
    });
    const page = await held;
    expect(Date.now() - sentAt).toBeLessThan(500);
    expect(page.events.some((e) => e.kind === 'message' && e.message.message_id === reply.message.message_id)).toBe(
      true,
    );
  });

  it('assigns to staff online on another node, counts capacity across nodes, and reports presence cluster-wide', async () => {
    await startNodes(3);
    const alice = await account('alice', 'staff', 1);
    await account('bob', 'staff', 1);
    for (let i = 0; i < 4; i++) await account(`cust${i}`, 'customer');
    // Alice is online on node 2 only; the customers write through nodes 0 and 1.
    const aliceWs = await ws(nodes[2]!, 'alice');
    const colleagues = await ws(nodes[1]!, 'bob');
    const listed = await colleagues.request('staff.list', {});
    expect(listed.staff.find((s) => s.uid === alice.uid)?.online).toBe(true);

    const customers = await Promise.all([0, 1, 2, 3].map((i) => http(nodes[i % 2]!, `cust${i}`)));
    const acks = await Promise.all(
      customers.map((c, i) =>
        c.request('send', {
          random_id: rid(),
          to: { object_id: 'room', busi_type: 'consult' },
          content: { type: 'text', text: `q${i}` },
        }),
      ),
    );
    // Capacity 1 each and both online: exactly two lines assigned, one to each, the rest queued.
    const assignees = acks.map((a) => a.line.assignee).filter((a): a is string => a !== null);
    expect(assignees.sort()).toEqual([alice.uid, colleagues.welcome!.user.uid].sort());

    // Alice leaves node 2: the others learn it through Redis presence.
    await aliceWs.close();
    await waitUntil(
      async () => !(await colleagues.request('staff.list', {})).staff.find((s) => s.uid === alice.uid)?.online,
      3_000,
      'alice offline everywhere',
    );
  });

  it('a queued line a trigger missed is assigned by the queue sweep once someone online has capacity', async () => {
    await startNodes(2, { queueSweepIntervalMs: 200 });
    const alice = await account('alice', 'staff');
    await account('cust1', 'customer');
    const customer = await http(nodes[0]!, 'cust1');
    const opened = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room', busi_type: 'consult' },
      content: { type: 'text', text: 'anyone?' },
    });
    expect(opened.line.assignee).toBeNull();
    // Alice shows up in presence without the channel-opened trigger (as if it ran while the line was locked).
    await nodes[1]!.presence.upsert(
      { channel_id: 'x', uid: alice.uid, role: 'staff', merchant_id: 'm1', device_id: 'd', transport: 'ws' },
      30_000,
    );
    await waitUntil(
      async () => (await nodes[0]!.store.getLine(opened.line.line_id))?.assignee === alice.uid,
      5_000,
      'line assigned by the sweep',
    );
  });

  it('/healthz reports the database and Redis of the node', async () => {
    await startNodes(1);
    const res = await fetch(`${nodes[0]!.url}/healthz`);
    const body = (await res.json()) as {
      ok: boolean;
      db: { ok: boolean };
      redis: { ok: boolean; subscriber: string };
      node: string;
    };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ok: true, node: 'live-0', db: { ok: true }, redis: { subscriber: 'ready' } });
    await waitUntil(
      async () => ((await (await fetch(`${nodes[0]!.url}/healthz`)).json()) as { redis: { ok: boolean } }).redis.ok,
      5_000,
      'redis health ping',
    );
  });
});
