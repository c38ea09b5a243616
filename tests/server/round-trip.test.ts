import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addMerchant('m1', 'Lakeside Hotel');
  await t.addObject({ object_id: 'room-1', kind: 'room', merchant_id: 'm1', title: 'Lake room' });
  await t.addStaff('staff1', 'm1');
  await t.addCustomer('cust1');
});
afterEach(async () => {
  await t.stop();
});

describe('round trips', () => {
  it('WebSocket: customer opens a line, online staff gets it assigned and replies', async () => {
    const staff = await t.connectWs('staff1');
    const staffInbox = await follow(t, staff);
    const customer = await t.connectWs('cust1');
    const customerInbox = await follow(t, customer);

    const ack = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'Is the lake room free?' },
    });
    expect(ack.duplicate).toBe(false);
    expect(ack.line.assignee).toBe(staff.welcome!.user.uid);
    expect(ack.message.content).toEqual({ type: 'text', text: 'Is the lake room free?' });

    const got = await staffInbox.waitFor(
      (e) => e.kind === 'message' && e.message.message_id === ack.message.message_id,
    );
    expect(got.kind === 'message' && got.line.object.title).toBe('Lake room');

    const answer = await staff.request('send', {
      random_id: rid(),
      line_id: ack.line.line_id,
      content: { type: 'text', text: 'Yes, two nights left.' },
    });
    const seen = await customerInbox.waitFor(
      (e) => e.kind === 'message' && e.message.message_id === answer.message.message_id,
    );
    expect(seen.kind === 'message' && seen.message.sender_role).toBe('staff');
    expect(customerInbox.messages().map((e) => e.message.content)).toEqual([
      { type: 'text', text: 'Is the lake room free?' },
      {
        type: 'system',
        code: 'line.assigned',
        text: 'staff1 is now looking after this conversation',
        params: { staff_uid: staff.welcome!.user.uid, staff_name: 'staff1' },
      },
      { type: 'text', text: 'Yes, two nights left.' },
    ]);
  });

  it('HTTP: rpc send and long-poll receive', async () => {
    const staff = await t.connectHttp('staff1');
    const staffInbox = await follow(t, staff);
    const customer = await t.connectHttp('cust1');
    const customerInbox = await follow(t, customer);
    const ack = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'hello' },
    });
    await staffInbox.waitFor((e) => e.kind === 'message' && e.message.message_id === ack.message.message_id);
    const answer = await staff.request('send', {
      random_id: rid(),
      line_id: ack.line.line_id,
      content: { type: 'text', text: 'hi!' },
    });
    await customerInbox.waitFor((e) => e.kind === 'message' && e.message.message_id === answer.message.message_id);
    expect(customerInbox.messages().map((e) => e.message.content.type)).toEqual(['text', 'system', 'text']);
  });
});

describe('held long-poll', () => {
  it('answers with the event its commit handed over, exactly as stored, without reading the inbox again', async () => {
    const staff = await t.connectWs('staff1');
    await follow(t, staff);
    const customer = await t.connectHttp('cust1');
    const opened = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'hi' },
    });
    const { next } = await customer.poll(null, 0);
    const reads = vi.spyOn(t.server.store, 'sync');
    const held = customer.poll(next, 5_000);
    await expect.poll(() => reads.mock.calls.length).toBe(1);
    const reply = await staff.request('send', {
      random_id: rid(),
      line_id: opened.line.line_id,
      content: { type: 'text', text: 'hello' },
    });
    const answer = await held;
    expect(reads).toHaveBeenCalledTimes(1);
    expect(answer.events.map((e) => e.kind === 'message' && e.message.message_id)).toEqual([reply.message.message_id]);
    reads.mockRestore();
    expect(answer.events).toEqual((await customer.poll(next, 0)).events);
    expect(answer.next).toEqual({ epoch: next.epoch, seq: next.seq + 1 });
  });
});

describe('/healthz', () => {
  it('counts the open WebSockets and held long-polls of this node', async () => {
    const health = async (): Promise<unknown> => (await fetch(`${t.url}/healthz`)).json();
    expect(await health()).toMatchObject({ ok: true, connections: { websocket: 0, held_polls: 0 } });
    const staff = await t.connectWs('staff1');
    const customer = await t.connectHttp('cust1');
    const { next } = await customer.poll(null, 0);
    const held = customer.poll(next, 2_500);
    await expect.poll(health, { timeout: 3_000 }).toMatchObject({ connections: { websocket: 1, held_polls: 1 } });
    await staff.close();
    await expect.poll(health, { timeout: 3_000 }).toMatchObject({ connections: { websocket: 0 } });
    await held;
  });
});
