import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InboxTrimmer } from '../../src-server/inbox/trimmer';
import type { InboxEvent } from '../../src-shared/protocol';
import { TEST_PASSWORD, rid } from '../support/test-server';
import { waitFor } from './helpers';
import { liveFixtures, type World } from './live-helpers';

/**
 * Inbox retention end to end: the server trims a staff member's inbox while their client is
 * offline, so the client's cursor falls below what is kept. On reconnect the server answers
 * `reset` from the oldest retained event and the client goes on from it: every line (the ones
 * whose events were all trimmed come back through lines.list), what it held plus the retained
 * messages, none twice, the hole filled when the line's history is loaded, and the message typed
 * while offline sent once from the outbox.
 */
describe('ClientCore after its cursor fell behind an inbox trim', () => {
  const live = liveFixtures();

  async function world(): Promise<World> {
    const w = await live.world();
    await w.t.addObject({ object_id: 'room-2', kind: 'room', merchant_id: 'm1', title: 'Garden Twin 花园双床房' });
    return w;
  }

  /** The customer writes on the consult line about `object_id`. */
  async function customerOn(w: World, object_id: string, text: string): Promise<string> {
    const ws = await w.customerWs();
    const r = await ws.request('send', {
      random_id: rid(),
      to: { object_id, busi_type: 'consult' },
      content: { type: 'text', text },
    });
    return r.line.line_id;
  }

  it('rebuilds from the oldest retained event: every line, what it held plus the retained messages, outbox sent once', async () => {
    const w = await world();
    const lineA = await customerOn(w, 'room-1', 'a0');
    for (let i = 1; i <= 3; i++) await customerOn(w, 'room-1', `a${i}`);
    const lineB = await customerOn(w, 'room-2', 'b0');
    await customerOn(w, 'room-2', 'b1');

    const h = live.core();
    await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    const store = () => h.core.runtime!.store;
    const head = () => w.t.server.store.inboxHead(w.staff.uid);
    await waitFor(async () => store().cursor()?.seq === (await head()).seq, 10_000, 'first catch-up');
    expect(store().allMessages(lineB).length).toBeGreaterThanOrEqual(2);

    // Offline: the staff member answers (the outbox keeps it) while the customer goes on writing.
    const rt = h.core.runtime!;
    h.ports.network.set(false);
    rt.channel.stop();
    const offline = await h.core.invoke('message.send', { line_id: lineA, content: { type: 'text', text: 'offline' } });
    for (let i = 4; i <= 12; i++) await customerOn(w, 'room-1', `a${i}`);
    const cursorBefore = store().cursor()!;
    const heldBefore = new Map(
      [lineA, lineB].map((l) => [
        l,
        store()
          .allMessages(l)
          .flatMap((m) => (m.message_id ? [m.message_id] : [])),
      ]),
    );

    // The server keeps the newest 5 events per inbox: the client's next event is gone, and so is
    // every event of line B.
    const logged: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logged.push(chunk.toString());
          done();
        },
      }),
    );
    const trimmer = new InboxTrimmer({
      store: w.t.server.store,
      config: { inboxRetentionMs: 0, inboxMaxEvents: 5 },
      now: Date.now,
      random: Math.random,
      logger,
    });
    const deleted = await trimmer.run();
    expect(deleted).toBeGreaterThan(0);
    expect(logged.map((l) => JSON.parse(l) as { msg: string; deleted: number })).toContainEqual(
      expect.objectContaining({ msg: 'inbox trimmed', deleted }),
    );
    const retainedBefore = await w.t.server.store.sync(w.staff.uid, null, 500);
    const floor = retainedBefore.events[0]!.seq;
    expect(cursorBefore.seq + 1).toBeLessThan(floor);
    expect(retainedBefore.events.some((e) => e.kind === 'message' && e.line.line_id === lineB)).toBe(false);

    h.ports.network.set(true);
    rt.channel.start();
    await waitFor(
      async () => store().outbox().length === 0 && store().cursor()?.seq === (await head()).seq,
      15_000,
      () => `rebuild (cursor ${JSON.stringify(store().cursor())}, outbox ${store().outbox().length})`,
    );

    // What it held before is kept (still true, and search still finds it), the retained messages are
    // added, each once, in order (the offline reply among them); what the trim took is not there yet.
    const retained = messagesByLine((await w.t.server.store.sync(w.staff.uid, null, 500)).events);
    for (const line of [lineA, lineB]) {
      const ids = store()
        .allMessages(line)
        .map((m) => m.message_id ?? `unsent:${m.random_id}`);
      const expected = [...new Set([...heldBefore.get(line)!, ...(retained.get(line) ?? [])])].sort(
        (a, b) => Number(a) - Number(b),
      );
      expect(ids, `line ${line}`).toEqual(expected);
    }
    // No history window counts as complete any more: opening line A fetches the hole from the server.
    const full = (await w.t.server.store.history(lineA, null, 100)).messages.map((m) => m.message_id);
    expect(store().allMessages(lineA).length).toBeLessThan(full.length);
    const page = await h.core.invoke('history.load', { line_id: lineA, limit: 100 });
    expect(page.messages.map((m) => m.message_id)).toEqual(full);
    expect(
      store()
        .allMessages(lineA)
        .map((m) => m.message_id),
    ).toEqual(full);
    const sent = store().messageByRandomId(offline.random_id!)!;
    expect(sent.state).toBe('sent');
    expect(retained.get(lineA)).toContain(sent.message_id);
    const onServer = (await w.t.server.store.history(lineA, null, 100)).messages.filter(
      (m) => m.random_id === offline.random_id,
    );
    expect(onServer).toHaveLength(1);

    // Every line, including B whose events were all trimmed (lines.list brings it back).
    const serverLines = (await w.t.server.store.listLines({ viewer: w.staff, limit: 100 })).lines.map((l) => l.line_id);
    await waitFor(
      async () => {
        const mine = (await h.core.invoke('lines.list', {})).map((l) => l.line_id);
        return serverLines.every((id) => mine.includes(id)) && mine.length === serverLines.length;
      },
      5_000,
      'every line back',
    );
    expect(store().cursor()).toEqual(await head());
  });
});

/** Message ids per line, in inbox order, of the message events in `events`. */
function messagesByLine(events: readonly InboxEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind !== 'message') continue;
    const ids = out.get(e.line.line_id) ?? [];
    ids.push(e.message.message_id);
    out.set(e.line.line_id, ids);
  }
  return out;
}
