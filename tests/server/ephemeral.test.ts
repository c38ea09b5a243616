import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Line, Message } from '../../src-shared/protocol';
import type { RemotePush } from '../../src-server';
import type { ProtocolClient } from '../support/protocol-client';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

/** Typing (scoped by the `need` stack top), presence, read receipts and the remote-push hook. */
let t: TestServer;
const pushed: Array<{ uid: string; message: Message; line: Line }> = [];
const remotePush: RemotePush = {
  notify: (uid, notice) => {
    pushed.push({ uid, ...notice });
    return Promise.resolve();
  },
};
let amyUid: string;
let custUid: string;
beforeEach(async () => {
  pushed.length = 0;
  t = await startTestServer({ remotePush });
  await t.addMerchant('m1');
  await t.addObject({ object_id: 'r1', kind: 'room', merchant_id: 'm1' });
  await t.addObject({ object_id: 'r2', kind: 'room', merchant_id: 'm1' });
  amyUid = (await t.addStaff('amy', 'm1')).uid;
  await t.addStaff('ben', 'm1');
  custUid = (await t.addCustomer('cust')).uid;
});
afterEach(async () => {
  await t.stop();
});

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

/** The customer's first message about a room opens (or reopens) their consultation line on it. */
const openLine = (customer: Pick<ProtocolClient, 'request'>, object_id: 'r1' | 'r2') =>
  customer.request('send', {
    random_id: rid(),
    to: { object_id, busi_type: 'consult' },
    content: { type: 'text', text: 'hi' },
  });

describe('typing', () => {
  it('reaches only peers whose view shows the line (or staff on the list view)', async () => {
    const amy = await t.connectWs('amy');
    const customer = await t.connectWs('cust');
    const { line } = await openLine(customer, 'r1');
    const other = (await openLine(customer, 'r2')).line;
    const typingOn = (c: typeof amy, lineId: string) =>
      c.received.filter(
        (e) => e.type === 'push' && e.topic === 'typing' && (e.body as { line_id: string }).line_id === lineId,
      ).length;

    // The customer has not opened the line: staff typing does not reach it.
    await amy.request('typing', { line_id: line.line_id });
    await settle();
    expect(typingOn(customer, line.line_id)).toBe(0);

    await customer.request('need', { need: { view: 'line', line_id: line.line_id } });
    await amy.request('typing', { line_id: line.line_id });
    const got = await customer.waitFor((e) => e.type === 'push' && e.topic === 'typing');
    expect(got).toMatchObject({ body: { line_id: line.line_id, uid: amyUid, display_name: 'amy' } });

    // Typing on another line does not reach a view of this one.
    await amy.request('typing', { line_id: other.line_id });
    await settle();
    expect(typingOn(customer, other.line_id)).toBe(0);

    // Staff on the list view see the customer typing; staff viewing another line do not.
    await customer.request('typing', { line_id: line.line_id });
    await amy.waitFor((e) => e.type === 'push' && e.topic === 'typing' && (e.body as { uid: string }).uid === custUid);
    await amy.request('need', { need: { view: 'line', line_id: other.line_id } });
    const before = typingOn(amy, line.line_id);
    await customer.request('typing', { line_id: line.line_id });
    await settle();
    expect(typingOn(amy, line.line_id)).toBe(before);
  });

  it('reaches a long-polling customer as a push in the poll answer', async () => {
    const amy = await t.connectWs('amy');
    const customer = await t.connectHttp('cust');
    const { line } = await openLine(customer, 'r1');
    await customer.request('need', { need: { view: 'line', line_id: line.line_id } });
    const head = await customer.request('sync', { cursor: null });
    const held = customer.poll(head.next, 5_000);
    await settle();
    await amy.request('typing', { line_id: line.line_id });
    const answer = await held;
    expect(answer.events).toEqual([]);
    expect(answer.pushes).toMatchObject([{ type: 'push', topic: 'typing', body: { line_id: line.line_id } }]);
  });

  it('follows a view changed while a long-poll is held (the poll does not keep the view it began with)', async () => {
    const amy = await t.connectWs('amy');
    const customer = await t.connectHttp('cust');
    const { line } = await openLine(customer, 'r1');
    await customer.request('need', { need: { view: 'background' } });
    const head = await customer.request('sync', { cursor: null });
    const held = customer.poll(head.next, 5_000);
    await settle();
    await amy.request('typing', { line_id: line.line_id });
    await settle();
    await customer.request('need', { need: { view: 'line', line_id: line.line_id } });
    const started = Date.now();
    await amy.request('typing', { line_id: line.line_id });
    const answer = await held;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.pushes).toMatchObject([{ type: 'push', topic: 'typing', body: { line_id: line.line_id } }]);
  });
});

describe('presence and remote push', () => {
  it('calls the remote-push hook only for recipients without a live channel', async () => {
    const customer = await t.connectHttp('cust');
    // Nobody on the merchant side is online: the line is queued and both staff get a remote push.
    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'r1', busi_type: 'consult' },
      content: { type: 'text', text: 'anyone?' },
    });
    await settle();
    expect(pushed.map((p) => p.uid).sort()).toEqual(
      [amyUid, (await t.server.store.findAccountByLogin('ben'))!.uid].sort(),
    );
    pushed.length = 0;

    const amy = await t.connectWs('amy');
    expect(await t.server.store.getLine(first.line.line_id)).toMatchObject({ assignee: amyUid });
    await customer.request('send', {
      random_id: rid(),
      line_id: first.line.line_id,
      content: { type: 'text', text: 'hello?' },
    });
    await settle();
    expect(pushed).toEqual([]);

    // The customer only used rpc — no poll, no socket, so no live channel: amy's reply goes to remote push.
    await amy.request('send', {
      random_id: rid(),
      line_id: first.line.line_id,
      content: { type: 'text', text: 'here!' },
    });
    await settle();
    expect(pushed.map((p) => p.uid)).toEqual([custUid]);
  });

  it('a long-polling device is live during its poll and for a grace period after', async () => {
    const customer = await t.connectHttp('cust');
    expect((await t.server.presence.online([custUid])).has(custUid)).toBe(false);
    await customer.poll(null, 0, { focused: false });
    expect((await t.server.presence.online([custUid])).has(custUid)).toBe(true);
    const [channel] = await t.server.presence.channels(custUid);
    expect(channel).toMatchObject({ transport: 'poll', focused: false });
  });

  it('staff see colleagues come online, change focus and leave', async () => {
    const amy = await t.connectWs('amy');
    const ben = await t.connectWs('ben', 'ben-dev', { focused: true });
    const benUid = ben.welcome!.user.uid;
    await amy.waitFor(
      (e) => e.type === 'push' && e.topic === 'presence' && (e.body as { uid: string; online: boolean }).uid === benUid,
    );
    await ben.request('presence', { focused: false });
    await amy.waitFor(
      (e) => e.type === 'push' && e.topic === 'presence' && (e.body as { focused: boolean }).focused === false,
    );
    expect((await t.server.presence.channels(benUid))[0]).toMatchObject({ focused: false, transport: 'ws' });
    await ben.close();
    await amy.waitFor(
      (e) => e.type === 'push' && e.topic === 'presence' && (e.body as { online: boolean }).online === false,
    );
    expect((await t.server.presence.online([benUid])).size).toBe(0);
  });
});

describe('read receipts', () => {
  it('reach both sides and set peer_read_message_id', async () => {
    const amy = await t.connectWs('amy');
    const customer = await t.connectWs('cust');
    const custInbox = await follow(t, customer);
    const ack = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'r1', busi_type: 'consult' },
      content: { type: 'text', text: 'q' },
    });
    const listBefore = await amy.request('lines.list', { mine: true });
    expect(listBefore.unread[ack.line.line_id]).toBe(1);
    await amy.request('read', { line_id: ack.line.line_id, message_id: ack.message.message_id });
    const receipt = await custInbox.waitFor((e) => e.kind === 'read');
    expect(receipt).toMatchObject({ line_id: ack.line.line_id, reader: amyUid, message_id: ack.message.message_id });
    expect((await amy.request('lines.list', { mine: true })).unread[ack.line.line_id]).toBe(0);
    const customerView = await customer.request('lines.list', {});
    expect(customerView.lines[0]!.peer_read_message_id).toBe(ack.message.message_id);
  });
});
