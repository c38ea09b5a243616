import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS, DEMO_OBJECTS, DEMO_STAFF, seedDemo } from '../../src-server';
import { startSimulation, type Simulation } from '../../src-server/sim/simulate';
import { InboxReader, WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD_COST, rid, startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let sim: Simulation | null = null;
beforeEach(async () => {
  t = await startTestServer();
  await seedDemo(t.server.store, { cost: TEST_PASSWORD_COST });
});
afterEach(async () => {
  await sim?.stop();
  sim = null;
  await t.stop();
});

describe('demo data', () => {
  it('has three merchants with staff, catalogues, customers and history in English and Chinese, and reseeding changes nothing', async () => {
    const { store } = t.server;
    expect(new Set(DEMO_STAFF.map((s) => s.merchant_id)).size).toBe(3);
    for (const m of ['m-hotel', 'm-tours', 'm-tickets']) {
      const staff = await store.listStaff(m);
      expect(staff.length).toBeGreaterThanOrEqual(2);
      expect(DEMO_OBJECTS.filter((o) => o.merchant_id === m && o.kind !== 'merchant').length).toBeGreaterThanOrEqual(3);
    }
    const alice = (await store.findAccountByLogin('alice@hotel'))!;
    const before = await store.listLines({ viewer: alice, limit: 100 });
    expect(before.lines.length).toBeGreaterThanOrEqual(3);
    const texts = (await Promise.all(before.lines.map((l) => store.history(l.line_id, null, 50)))).flatMap((h) =>
      h.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')),
    );
    expect(texts.some((x) => /[\u4e00-\u9fff]/.test(x))).toBe(true);
    expect(texts.some((x) => /^[\x20-\x7e]+$/.test(x))).toBe(true);
    // Answered lines are read up to the answer; only customers' messages after it are unread.
    for (const line of before.lines) {
      const last = (await store.history(line.line_id, null, 50)).messages.filter((m) => m.random_id !== null).at(-1)!;
      if (last.sender_role === 'staff') expect(before.unread[line.line_id], line.object.title).toBe(0);
    }
    expect(before.lines.some((l) => before.unread[l.line_id]! > 0)).toBe(true);
    // Some lines wait in the queue for a demo of assignment.
    const tours = (await store.findAccountByLogin('carol@tours'))!;
    expect((await store.listLines({ viewer: tours, limit: 100 })).lines.some((l) => l.assignee === null)).toBe(true);

    await seedDemo(store, { cost: TEST_PASSWORD_COST });
    const after = await store.listLines({ viewer: alice, limit: 100 });
    expect(after.lines.map((l) => l.line_id)).toEqual(before.lines.map((l) => l.line_id));
    const head = await store.inboxHead(alice.uid);
    expect(head.seq).toBe((await store.sync(alice.uid, null, 500)).events.length);
  });

  it('demo accounts sign in with the documented password', async () => {
    for (const login of [DEMO_STAFF[0].account, DEMO_CUSTOMERS[1].account]) {
      const session = await signIn(t.url, login, 'demo', 'd1');
      expect(session.user.display_name.length).toBeGreaterThan(0);
    }
  });
});

describe('--simulate', () => {
  it('simulated customers open consultations and answer staff replies', async () => {
    const staffLogins = ['alice@hotel', 'carol@tours', 'erin@tickets'];
    const readers: InboxReader[] = [];
    for (const login of staffLogins) {
      const { token } = await signIn(t.url, login, 'demo', `dev-${login}`);
      const ws = t.track(await WsClient.connect(t.url, { token, device_id: `dev-${login}` }));
      const head = await ws.request('sync', { cursor: null });
      const reader = t.track(new InboxReader(ws, head.next));
      await reader.start();
      // Staff answer every simulated customer's message at once.
      reader.onEvent((e) => {
        if (e.kind === 'message' && e.message.sender_role === 'customer' && e.line.assignee === ws.welcome!.user.uid) {
          ws.request('send', {
            random_id: rid(),
            line_id: e.line.line_id,
            content: { type: 'text', text: 'Happy to help!' },
          }).catch(() => undefined);
        }
      });
      readers.push(reader);
    }
    sim = await startSimulation(t.url, t.server.store, {
      customers: 3,
      replyDelayMs: [5, 20],
      idleMs: [30, 60],
      logger: t.server.logger,
    });
    const deadline = Date.now() + 15_000;
    while (sim.sent < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sim.sent).toBeGreaterThanOrEqual(9);
    const customerMessages = readers.flatMap((r) => r.messages().filter((e) => e.message.sender_role === 'customer'));
    expect(customerMessages.length).toBeGreaterThan(0);
  });
});
