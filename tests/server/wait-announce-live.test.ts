import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxEvent, Line, Message } from '../../src-shared/protocol';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

/**
 * Long waits through a real server: a colleague connected over WebSocket sees a customer waiting on
 * someone else's line once the wait passed the threshold, and sees it end — and nothing of a quick
 * exchange. A tiny threshold and interval keep it fast.
 */
const THRESHOLD_MS = 250;
const INTERVAL_MS = 20;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ waitAnnounceAfterMs: THRESHOLD_MS, waitAnnounceIntervalMs: INTERVAL_MS });
  await t.addMerchant('m1');
  await t.addObject({ object_id: 'r1', kind: 'room', merchant_id: 'm1' });
  await t.addStaff('amy', 'm1');
  await t.addStaff('ben', 'm1');
  await t.addCustomer('c1');
});
afterEach(async () => {
  await t.stop();
});

const lineEvents = (events: readonly InboxEvent[], lineId: string): Line[] =>
  events.flatMap((e) => (e.kind === 'line' && e.line.line_id === lineId ? [e.line] : []));

describe('long waits through the server', () => {
  it('a colleague over WebSocket sees a wait once it went long, then its end; a quick answer costs nothing', async () => {
    const amy = await t.connectWs('amy');
    const ben = await t.connectWs('ben');
    const benInbox = await follow(t, ben);
    const customer = await t.connectHttp('c1');
    const say = async (who: typeof amy | typeof customer, body: Record<string, unknown>): Promise<Message> =>
      (await who.request('send', { random_id: rid(), content: { type: 'text', text: 'hi' }, ...body })).message;

    const first = await say(customer, { to: { object_id: 'r1', busi_type: 'consult' } });
    const lineId = first.line_id;
    expect((await t.server.store.getLine(lineId))!.assignee).not.toBeNull();
    // Whoever got the line, the other one is the colleague we watch.
    const assigneeIsAmy = (await t.server.store.getLine(lineId))!.assignee_name === 'amy';
    const [assignee, colleague] = assigneeIsAmy ? [amy, benInbox] : [ben, await follow(t, amy)];
    // The line's creation showed everyone the wait; the first answer ends it for them.
    await colleague.waitFor((e) => e.kind === 'line' && e.line.line_id === lineId && e.line.waiting_since !== null);
    await say(assignee, { line_id: lineId });
    await colleague.waitFor((e) => e.kind === 'line' && e.line.line_id === lineId && e.line.waiting_since === null);
    const settled = colleague.events.length;

    // A quick exchange, well inside the threshold: the colleague hears nothing of it.
    await say(customer, { line_id: lineId });
    await say(assignee, { line_id: lineId });

    // Now the customer waits past the threshold.
    const asked = await say(customer, { line_id: lineId });
    const announced = await colleague.waitFor(
      (e) => e.kind === 'line' && e.line.line_id === lineId && e.line.waiting_since === asked.ts,
      THRESHOLD_MS + 5_000,
    );
    expect(Date.now() - asked.ts).toBeGreaterThanOrEqual(THRESHOLD_MS);
    expect(announced.kind === 'line' && announced.line).toMatchObject({ last_message_at: asked.ts, status: 'open' });
    // Exactly one event since the first answer: the announcement (the quick exchange made none).
    expect(colleague.events.slice(settled)).toEqual([announced]);

    const reply = await say(assignee, { line_id: lineId });
    await colleague.waitFor(
      (e) => e.kind === 'line' && e.line.line_id === lineId && e.line.last_message_at === reply.ts,
    );
    const told = lineEvents(colleague.events.slice(settled), lineId);
    expect(told.map((l) => l.waiting_since)).toEqual([asked.ts, null]);
    // A colleague never got the line's messages, only its snapshots.
    expect(colleague.messages().filter((e) => e.message.line_id === lineId && e.message.random_id !== null)).toEqual(
      [],
    );
    // The wait stays announced once: a few more intervals bring nothing new.
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 5));
    expect(lineEvents(colleague.events.slice(settled), lineId)).toHaveLength(2);
  });
});
