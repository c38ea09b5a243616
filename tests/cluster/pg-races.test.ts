import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account, SendInput } from '../../src-server';
import { PG_MIGRATIONS } from '../../src-server/store/postgres/migrations';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { createTestSchema, terminateBackends, type TestSchema } from './support/pg';
import { storeAccount } from '../support/store-accounts';

/**
 * The PostgreSQL store under concurrent writers on several nodes: each "node" is a store with its own
 * connection pool on the same schema, and the writes race for real.
 */
let schema: TestSchema;
let nodes: PostgresStore[];
let staff: Account[];
let customers: Account[];
let n = 0;
const rid = (): string => `race00-${String(++n).padStart(12, '0')}`;

beforeEach(async () => {
  schema = await createTestSchema('race');
  nodes = [0, 1, 2].map(() => new PostgresStore({ url: schema.url, poolSize: 5 }));
  // Nodes start together: the migration lock lets exactly one of them create the schema.
  await Promise.all(nodes.map((s) => s.migrate()));
  const s = nodes[0]!;
  await s.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, 0);
  for (const id of ['room', 'suite', 'spa'])
    await s.putObject({ object_id: id, kind: 'room', title: id, merchant_id: 'm1' });
  const make = (account: string, role: 'staff' | 'customer', capacity?: number) =>
    storeAccount(s, account, role, 'm1', { capacity });
  staff = [await make('alice', 'staff', 2), await make('bob', 'staff', 2)];
  customers = [];
  for (let i = 0; i < 12; i++) customers.push(await make(`cust${i}`, 'customer'));
});
afterEach(async () => {
  await Promise.all(nodes.map((s) => s.close()));
  await schema.drop();
});

const sendOn = (node: PostgresStore, over: Partial<SendInput> & Pick<SendInput, 'sender' | 'target'>) =>
  node.send({
    device_id: 'd1',
    random_id: rid(),
    content: { type: 'text', text: 'hi' },
    now: Date.now(),
    onlineStaff: new Set(),
    stickyWindowMs: 3600_000,
    ...over,
  });

describe('PostgreSQL store under concurrent nodes', () => {
  it('migrations applied once although three nodes started together', async () => {
    const { rows } = await schema.admin.query(`SELECT version FROM ${schema.name}.schema_migrations ORDER BY version`);
    expect(rows.map((r: { version: number }) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
  });

  it('inbox seqs have no gaps and no duplicates while three nodes write to the same inboxes', async () => {
    const [alice] = staff as [Account, Account];
    const online = new Set([alice.uid]);
    const lines = [];
    for (const c of customers.slice(0, 6))
      lines.push(
        (
          await sendOn(nodes[0]!, {
            sender: c,
            target: { to: { object_id: 'room', busi_type: 'consult' } },
            onlineStaff: online,
          })
        ).line,
      );
    // Alice has capacity 2, so four lines wait in the queue and every staff inbox gets their messages.
    const writes = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < lines.length; i++) {
        const node = nodes[(round + i) % 3]!;
        writes.push(
          sendOn(node, {
            sender: customers[i]!,
            target: { line_id: lines[i]!.line_id },
            content: { type: 'text', text: `c${i}-${round}` },
            onlineStaff: online,
          }),
        );
      }
      writes.push(
        sendOn(nodes[round % 3]!, {
          sender: alice,
          target: { line_id: lines[0]!.line_id },
          content: { type: 'text', text: `a-${round}` },
        }),
      );
    }
    const acks = await Promise.all(writes);

    for (const user of [alice, staff[1]!, ...customers.slice(0, 6)]) {
      const page = await nodes[1]!.sync(user.uid, null, 1000);
      const seqs = page.events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_s, i) => i + 1));
      const head = await nodes[2]!.inboxHead(user.uid);
      expect(head.seq).toBe(seqs.length);
      const ids = page.events.flatMap((e) => (e.kind === 'message' ? [e.message.message_id] : []));
      expect(new Set(ids).size).toBe(ids.length);
      // Within a line, inbox order is message order.
      for (const line of lines) {
        const inLine = page.events.flatMap((e) =>
          e.kind === 'message' && e.message.line_id === line.line_id ? [Number(e.message.message_id)] : [],
        );
        expect(inLine).toEqual([...inLine].sort((a, b) => a - b));
      }
    }
    // Every ack's seq names the sender's own copy of that message.
    for (const ack of acks) {
      const page = await nodes[0]!.sync(
        ack.message.sender,
        { epoch: (await nodes[0]!.inboxHead(ack.message.sender)).epoch, seq: ack.seq - 1 },
        1,
      );
      expect(page.events[0]).toMatchObject({ kind: 'message', message: { message_id: ack.message.message_id } });
    }
  });

  it('the same send through three nodes at once is stored once and every node answers with the original ack', async () => {
    const cust = customers[0]!;
    const randomId = 'samerand-000000000001';
    const acks = await Promise.all(
      Array.from({ length: 12 }, (_x, i) =>
        sendOn(nodes[i % 3]!, {
          sender: cust,
          random_id: randomId,
          target: { to: { object_id: 'room', busi_type: 'consult' } },
        }),
      ),
    );
    expect(acks.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(acks.map((a) => a.message.message_id)).size).toBe(1);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(1);
    const { rows } = await schema.admin.query(`SELECT COUNT(*)::int AS n FROM ${schema.name}.messages`);
    expect(rows[0]).toEqual({ n: 1 });
    const page = await nodes[0]!.sync(cust.uid, null, 100);
    expect(page.events.filter((e) => e.kind === 'message' && e.message.random_id !== null)).toHaveLength(1);
  });

  it('first messages racing on three nodes make one line', async () => {
    const cust = customers[1]!;
    const acks = await Promise.all(
      Array.from({ length: 15 }, (_x, i) =>
        sendOn(nodes[i % 3]!, { sender: cust, target: { to: { object_id: 'suite', busi_type: 'feedback' } } }),
      ),
    );
    expect(new Set(acks.map((a) => a.line.line_id)).size).toBe(1);
    const { rows } = await schema.admin.query(`SELECT COUNT(*)::int AS n FROM ${schema.name}.lines`);
    expect(rows[0]).toEqual({ n: 1 });
    // Exactly one of them created the line: the customer's inbox holds 15 messages and no second line event.
    const page = await nodes[2]!.sync(cust.uid, null, 100);
    expect(page.events.filter((e) => e.kind === 'message' && e.message.random_id !== null)).toHaveLength(15);
  });

  it('capacity holds cluster-wide and no line is assigned twice when customers arrive on every node at once', async () => {
    const online = new Set(staff.map((s) => s.uid));
    const acks = await Promise.all(
      customers.map((c, i) =>
        sendOn(nodes[i % 3]!, {
          sender: c,
          target: { to: { object_id: 'spa', busi_type: 'consult' } },
          onlineStaff: online,
        }),
      ),
    );
    const assigned = acks.filter((a) => a.line.assignee !== null);
    expect(assigned).toHaveLength(4);
    const loads = await nodes[0]!.listStaff('m1');
    expect(loads.map((l) => l.open_lines)).toEqual([2, 2]);

    // Free capacity by resolving two lines, then three nodes hand out the queue at the same moment.
    for (const a of assigned.slice(0, 2))
      await nodes[1]!.setStatus({ line_id: a.line.line_id, status: 'resolved', now: Date.now() });
    const outs = await Promise.all(
      nodes.map((s) => s.assignQueued({ merchant_id: 'm1', onlineStaff: online, now: Date.now(), stickyWindowMs: 0 })),
    );
    const handed = outs.flat().map((o) => o.line.line_id);
    expect(handed).toHaveLength(2);
    expect(new Set(handed).size).toBe(2);
    expect((await nodes[2]!.listStaff('m1')).map((l) => l.open_lines)).toEqual([2, 2]);
    const { rows } = await schema.admin.query(
      `SELECT COUNT(*)::int AS n FROM ${schema.name}.lines WHERE assignee IS NULL`,
    );
    expect(rows[0]).toEqual({ n: 6 });
  });

  it('the line a send answers with is the line as stored (new, claimed, reopened and reassigned)', async () => {
    const [alice, bob] = staff as [Account, Account];
    const cust = customers[3]!;
    const node = nodes[0]!;
    const opened = await sendOn(node, { sender: cust, target: { to: { object_id: 'suite', busi_type: 'private' } } });
    expect(opened.line).toEqual(await node.getLine(opened.line.line_id));
    const claimed = await sendOn(node, { sender: bob, target: { line_id: opened.line.line_id } });
    expect(claimed.line).toEqual(await node.getLine(opened.line.line_id));
    expect(claimed.line).toMatchObject({ assignee: bob.uid, assignee_name: 'bob', waiting_since: null });
    await node.setStatus({ line_id: opened.line.line_id, status: 'resolved', now: Date.now() });
    const reopened = await sendOn(node, {
      sender: cust,
      target: { line_id: opened.line.line_id },
      onlineStaff: new Set([alice.uid]),
    });
    expect(reopened.line).toEqual(await node.getLine(opened.line.line_id));
    expect(reopened.line).toMatchObject({ status: 'open', assignee: alice.uid, assignee_name: 'alice' });
  });

  it('keeps writing through terminated connections (retried), and nothing is lost or doubled', async () => {
    const [alice] = staff as [Account, Account];
    const cust = customers[2]!;
    const { line } = await sendOn(nodes[0]!, {
      sender: cust,
      target: { to: { object_id: 'room', busi_type: 'consult' } },
      onlineStaff: new Set([alice.uid]),
    });
    const sends: Promise<unknown>[] = [];
    let killed = 0;
    for (let i = 0; i < 60; i++) {
      sends.push(
        sendOn(nodes[i % 3]!, {
          sender: cust,
          target: { line_id: line.line_id },
          random_id: `kill00-${String(i).padStart(12, '0')}`,
        }),
      );
      if (i % 15 === 7) killed += await terminateBackends(schema);
      await new Promise((r) => setTimeout(r, 2));
    }
    const results = await Promise.allSettled(sends);
    expect(killed).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const page = await nodes[0]!.sync(alice.uid, null, 1000);
    // People's messages only: the server's own notices (e.g. "assigned to …") carry no random_id.
    const sent = page.events.filter((e) => e.kind === 'message' && e.message.random_id !== null);
    expect(sent).toHaveLength(61);
    expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_e, i) => i + 1));
  });
});
