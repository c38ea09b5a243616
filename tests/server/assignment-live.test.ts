import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Line } from '../../src-shared/protocol';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

/** Assignment as it happens through the server: presence, capacity, queue, sticky customers, transfer. */
let t: TestServer;
const uid: Record<string, string> = {};
beforeEach(async () => {
  t = await startTestServer();
  await t.addMerchant('m1');
  for (const o of ['r1', 'r2', 'r3', 'r4']) await t.addObject({ object_id: o, kind: 'room', merchant_id: 'm1' });
  for (const s of ['amy', 'ben']) uid[s] = (await t.addStaff(s, 'm1', { capacity: 2 })).uid;
  for (const c of ['c1', 'c2', 'c3']) uid[c] = (await t.addCustomer(c)).uid;
});
afterEach(async () => {
  await t.stop();
});

async function open(customer: string, object: string): Promise<Line> {
  const c = await t.connectHttp(customer);
  return (
    await c.request('send', {
      random_id: rid(),
      to: { object_id: object, busi_type: 'consult' },
      content: { type: 'text', text: `${customer} about ${object}` },
    })
  ).line;
}
const assigneeOf = async (lineId: string): Promise<string | null> => (await t.server.store.getLine(lineId))!.assignee;

describe('assignment through the server', () => {
  it('goes to the online staff member with fewest open lines and never beyond capacity', async () => {
    await t.connectWs('amy');
    await t.connectWs('ben');
    const lines = [
      await open('c1', 'r1'),
      await open('c2', 'r1'),
      await open('c3', 'r1'),
      await open('c1', 'r2'),
      await open('c2', 'r2'),
    ];
    const counts = lines.map((l) => l.assignee);
    expect(counts.slice(0, 4).filter((a) => a === uid.amy)).toHaveLength(2);
    expect(counts.slice(0, 4).filter((a) => a === uid.ben)).toHaveLength(2);
    // Both are at capacity 2: the fifth line waits in the queue.
    expect(lines[4]!.assignee).toBeNull();
  });

  it('queues lines while nobody is online and assigns them when staff connect', async () => {
    const waiting = await open('c1', 'r1');
    expect(waiting.assignee).toBeNull();
    const amy = await t.connectWs('amy');
    const inbox = await follow(t, amy);
    // amy gets the assignment notice (a message event carrying the line), not a bare line event.
    const notice = await inbox.waitFor(
      (e) => e.kind === 'message' && e.line.line_id === waiting.line_id && e.line.assignee === uid.amy,
    );
    expect(notice.kind === 'message' && notice.message.content).toMatchObject({
      type: 'system',
      code: 'line.assigned',
      params: { staff_uid: uid.amy, staff_name: 'amy' },
    });
    expect(await assigneeOf(waiting.line_id)).toBe(uid.amy);
  });

  it('a long-polling staff member counts as online too', async () => {
    const waiting = await open('c1', 'r1');
    const ben = await t.connectHttp('ben');
    await ben.poll(null, 0);
    expect(await assigneeOf(waiting.line_id)).toBe(uid.ben);
  });

  it('resolving a line frees capacity and the oldest queued line is assigned at once', async () => {
    const amy = await t.connectWs('amy');
    const a = await open('c1', 'r1');
    await open('c2', 'r1');
    const queued1 = await open('c3', 'r1');
    const queued2 = await open('c3', 'r2');
    expect([queued1.assignee, queued2.assignee]).toEqual([null, null]);
    await amy.request('line.status', { line_id: a.line_id, status: 'resolved' });
    expect(await assigneeOf(queued1.line_id)).toBe(uid.amy);
    expect(await assigneeOf(queued2.line_id)).toBeNull();
    // pending still counts against capacity
    await amy.request('line.status', { line_id: queued1.line_id, status: 'pending' });
    expect(await assigneeOf(queued2.line_id)).toBeNull();
  });

  it('a returning customer goes back to the staff member who served them, if online', async () => {
    await t.connectWs('amy');
    const first = await open('c1', 'r1');
    expect(first.assignee).toBe(uid.amy);
    await t.connectWs('ben');
    // ben now has fewer open lines, yet c1's new question goes to amy
    const second = await open('c1', 'r2');
    expect(second.assignee).toBe(uid.amy);
    const other = await open('c2', 'r2');
    expect(other.assignee).toBe(uid.ben);
  });

  it('manual transfer moves the line and the new assignee receives the next messages', async () => {
    const amy = await t.connectWs('amy');
    const ben = await t.connectWs('ben');
    const benInbox = await follow(t, ben);
    const line = await open('c1', 'r1');
    expect(line.assignee).toBe(uid.amy);
    const moved = await amy.request('line.transfer', { line_id: line.line_id, to: uid.ben! });
    expect(moved.line).toMatchObject({ assignee: uid.ben, assignee_name: 'ben' });
    // Both sides see the transfer in their inbox and in the line's history.
    const transferred = {
      type: 'system',
      code: 'line.transferred',
      text: 'amy transferred this conversation to ben',
      params: { staff_uid: uid.ben, staff_name: 'ben', from_staff_uid: uid.amy, from_staff_name: 'amy' },
    };
    await benInbox.waitFor(
      (e) =>
        e.kind === 'message' && e.message.content.type === 'system' && e.message.content.code === 'line.transferred',
    );
    const c1 = await t.connectHttp('c1');
    const c1Inbox = await follow(t, c1);
    const seen = await c1Inbox.waitFor(
      (e) =>
        e.kind === 'message' && e.message.content.type === 'system' && e.message.content.code === 'line.transferred',
    );
    expect(seen.kind === 'message' && seen.message.content).toEqual(transferred);
    const { messages } = await c1.request('history', { line_id: line.line_id });
    expect(messages.map((m) => (m.content.type === 'system' ? m.content.code : m.content.type))).toEqual([
      'text',
      'line.assigned',
      'line.transferred',
    ]);
    const ack = await c1.request('send', {
      random_id: rid(),
      line_id: line.line_id,
      content: { type: 'text', text: 'still there?' },
    });
    await benInbox.waitFor((e) => e.kind === 'message' && e.message.message_id === ack.message.message_id);
    const staffList = await amy.request('staff.list', {});
    expect(staffList.staff.map((s) => [s.display_name, s.online, s.open_lines])).toEqual([
      ['amy', true, 0],
      ['ben', true, 1],
    ]);
  });
});
