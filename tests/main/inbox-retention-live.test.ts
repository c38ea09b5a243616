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
 * `reset` from the oldest retained event and the client rebuilds from it: every line (the ones
 * whose events were all trimmed come back through lines.list), exactly the retained messages, none
 * twice, and the message typed while offline sent once from the outbox.
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

  it('rebuilds from the oldest retained event: every line, exactly the retained messages, outbox sent once', async () => {
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

    // Exactly the retained messages per line, in order, each once (the offline reply among them).
    const retained = (await w.t.server.store.sync(w.staff.uid, null, 500)).events;
    const expected = messagesByLine(retained);
    const local = new Map<string, string[]>();
    for (const line of [lineA, lineB]) {
      const ids = store()
        .allMessages(line)
        .map((m) => m.message_id ?? `unsent:${m.random_id}`);
      if (ids.length > 0) local.set(line, ids);
      expect(new Set(ids).size, `line ${line} has a duplicate`).toBe(ids.length);
    }
    expect(local).toEqual(expected);
    const sent = store().messageByRandomId(offline.random_id!)!;
    expect(sent.state).toBe('sent');
    expect(expected.get(lineA)).toContain(sent.message_id);
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
