import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboxEvent } from '../../src-shared/protocol';
import type { Account, SendInput, Store } from '../../src-server';
import type { InboxTrim } from '../../src-server/store/types';

/**
 * The behaviour every Store implementation must show (see src-server/store/types.ts). Call it from
 * a test file with a factory for a fresh, migrated, empty store; the SQLite suite and the
 * PostgreSQL suite run the very same cases.
 */
export function describeStoreContract(
  name: string,
  openStore: () => Promise<{ store: Store; dispose(): Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let alice: Account;
    let bob: Account;
    let carol: Account;
    let otherStaff: Account;
    let cust: Account;
    let cust2: Account;
    let clock = 1_000_000;
    const tick = (): number => (clock += 1000);
    let n = 0;
    const rid = (): string => `abcdef-${String(++n).padStart(12, '0')}`;

    beforeEach(async () => {
      ({ store, dispose } = await openStore());
      await store.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, 0);
      await store.putMerchant({ merchant_id: 'm2', name: 'Tours' }, 0);
      await store.putObject({ object_id: 'room', kind: 'room', title: 'Room', merchant_id: 'm1' });
      await store.putObject({ object_id: 'suite', kind: 'room', title: 'Suite', merchant_id: 'm1' });
      await store.putObject({ object_id: 'tour', kind: 'tour', title: 'Tour', merchant_id: 'm2' });
      const make = async (account: string, role: 'staff' | 'customer', merchant: string | null, capacity?: number) =>
        (
          await store.ensureAccount(
            { account, password_hash: 'x', role, display_name: account.toUpperCase(), merchant_id: merchant, capacity },
            0,
          )
        ).account;
      alice = await make('alice', 'staff', 'm1', 2);
      bob = await make('bob', 'staff', 'm1', 2);
      carol = await make('carol', 'staff', 'm1', 2);
      otherStaff = await make('olga', 'staff', 'm2');
      cust = await make('cust', 'customer', null);
      cust2 = await make('cust2', 'customer', null);
    });
    afterEach(async () => {
      await dispose();
    });

    const send = (over: Partial<SendInput> & Pick<SendInput, 'sender' | 'target'>) =>
      store.send({
        device_id: 'd1',
        random_id: rid(),
        content: { type: 'text', text: 'hi' },
        now: tick(),
        onlineStaff: new Set(),
        stickyWindowMs: 3600_000,
        ...over,
      });
    const open = (sender: Account, object_id = 'room', online: string[] = []) =>
      send({ sender, target: { to: { object_id, busi_type: 'consult' } }, onlineStaff: new Set(online) });

    it('ensureAccount is idempotent on the login name; meta values are created once', async () => {
      const again = await store.ensureAccount(
        { account: 'alice', password_hash: 'y', role: 'staff', display_name: 'Other', merchant_id: 'm1' },
        0,
      );
      expect(again).toEqual({ account: alice, created: false });
      expect((await store.findAccountByLogin('alice'))?.password_hash).toBe('x');
      const a = await store.getOrCreateMeta('k', () => 'first');
      const b = await store.getOrCreateMeta('k', () => 'second');
      expect([a, b]).toEqual(['first', 'first']);
    });

    it('one line per (uid, object_id, busi_type), whatever the number of first messages', async () => {
      const outs = await Promise.all(Array.from({ length: 8 }, () => open(cust)));
      expect(new Set(outs.map((o) => o.line.line_id)).size).toBe(1);
      const other = await send({ sender: cust, target: { to: { object_id: 'room', busi_type: 'feedback' } } });
      expect(other.line.line_id).not.toBe(outs[0]!.line.line_id);
      const { lines } = await store.listLines({ viewer: cust, limit: 10 });
      expect(lines).toHaveLength(2);
    });

    it('send is idempotent on (sender, device, random_id) and the retry returns the original ack', async () => {
      const first = await send({
        sender: cust,
        target: { to: { object_id: 'room', busi_type: 'consult' } },
        random_id: 'abcdef-retry00000001',
      });
      const retry = await send({
        sender: cust,
        target: { to: { object_id: 'room', busi_type: 'consult' } },
        random_id: 'abcdef-retry00000001',
      });
      expect(retry.duplicate).toBe(true);
      expect(retry.message).toEqual(first.message);
      expect(retry.seq).toBe(first.seq);
      expect(retry.heads).toEqual([]);
      const otherDevice = await send({
        sender: cust,
        target: { line_id: first.line.line_id },
        random_id: 'abcdef-retry00000001',
        device_id: 'd2',
      });
      expect(otherDevice.duplicate).toBe(false);
      const page = await store.sync(cust.uid, null, 100);
      expect(page.events.filter((e) => e.kind === 'message')).toHaveLength(2);
    });

    it('inbox seqs rise by exactly one per event and sync pages them', async () => {
      const line = (await open(cust, 'room', [alice.uid])).line;
      for (let i = 0; i < 6; i++) await send({ sender: i % 2 ? alice : cust, target: { line_id: line.line_id } });
      const all = await store.sync(cust.uid, null, 100);
      expect(all.outcome).toBe('reset');
      // The first message, the assignment notice, six more messages.
      expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const head = await store.inboxHead(cust.uid);
      expect(head).toEqual({ epoch: all.epoch, seq: 8 });
      const p1 = await store.sync(cust.uid, { epoch: all.epoch, seq: 0 }, 3);
      expect(p1).toMatchObject({ outcome: 'recovered', more: true, next: { seq: 3 } });
      const p2 = await store.sync(cust.uid, p1.next, 3);
      const p3 = await store.sync(cust.uid, p2.next, 3);
      expect([...p1.events, ...p2.events, ...p3.events].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(p3.more).toBe(false);
      const empty = await store.sync(cust.uid, p3.next, 3);
      expect(empty).toMatchObject({ outcome: 'recovered', events: [], next: p3.next, more: false });
    });

    it('an unknown epoch or a cursor ahead of the head is a reset from the start', async () => {
      await open(cust);
      const head = await store.inboxHead(cust.uid);
      for (const cursor of [
        { epoch: 'gone', seq: 1 },
        { epoch: head.epoch, seq: head.seq + 5 },
      ]) {
        const page = await store.sync(cust.uid, cursor, 100);
        expect(page.outcome).toBe('reset');
        expect(page.events[0]?.seq).toBe(1);
      }
    });

    it('a queued line goes to every staff member of its merchant and to no one else', async () => {
      const out = await open(cust);
      expect(out.line.assignee).toBeNull();
      expect(out.delivered_to.sort()).toEqual([alice.uid, bob.uid, carol.uid].sort());
      expect((await store.sync(otherStaff.uid, null, 10)).events).toEqual([]);
      expect((await store.sync(cust2.uid, null, 10)).events).toEqual([]);
    });

    it('an assigned line delivers messages to the customer and the assignee only, with the sender seq in the ack', async () => {
      const out = await open(cust, 'room', [bob.uid]);
      expect(out.line.assignee).toBe(bob.uid);
      expect(out.delivered_to).toEqual([bob.uid]);
      const custPage = await store.sync(cust.uid, null, 10);
      expect(custPage.events.map((e) => e.seq)).toContain(out.seq);
      // Other staff learn the line exists through a `line` event, not the message.
      const alicePage = await store.sync(alice.uid, null, 10);
      expect(alicePage.events.map((e) => e.kind)).toEqual(['line']);
    });

    it('staff reply claims a queued line; read pointers only move forward and emit read events', async () => {
      const first = await open(cust);
      const reply = await send({ sender: carol, target: { line_id: first.line.line_id } });
      expect(reply.line.assignee).toBe(carol.uid);
      expect(reply.line.waiting_since).toBeNull();
      const read = await store.markRead({
        line_id: first.line.line_id,
        reader: cust,
        message_id: reply.message.message_id,
        now: tick(),
      });
      expect(read.heads.map((h) => h.uid).sort()).toEqual([carol.uid, cust.uid].sort());
      const again = await store.markRead({
        line_id: first.line.line_id,
        reader: cust,
        message_id: first.message.message_id,
        now: tick(),
      });
      expect(again.heads).toEqual([]);
      expect((await store.getLine(first.line.line_id))?.customer_read_message_id).toBe(reply.message.message_id);
      await expect(
        store.markRead({ line_id: first.line.line_id, reader: cust, message_id: '999999', now: tick() }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('unread counts the other side’s messages after the viewer side’s read pointer, never system notices', async () => {
      const first = await open(cust, 'room', [alice.uid]);
      await send({ sender: cust, target: { line_id: first.line.line_id } });
      const staffView = await store.listLines({ viewer: alice, limit: 10 });
      expect(staffView.unread[first.line.line_id]).toBe(2);
      await store.markRead({
        line_id: first.line.line_id,
        reader: alice,
        message_id: first.message.message_id,
        now: tick(),
      });
      expect((await store.listLines({ viewer: bob, limit: 10 })).unread[first.line.line_id]).toBe(1);
      // The assignment notice comes from the staff side, but nobody is waiting on it to be read.
      expect((await store.listLines({ viewer: cust, limit: 10 })).unread[first.line.line_id]).toBe(0);
      const reply = await send({ sender: alice, target: { line_id: first.line.line_id } });
      expect(reply.message.random_id).not.toBeNull();
      expect((await store.listLines({ viewer: cust, limit: 10 })).unread[first.line.line_id]).toBe(1);
    });

    it('listLines scopes by viewer and filters', async () => {
      await open(cust, 'room', [alice.uid]);
      await open(cust2, 'suite', [bob.uid]);
      await open(cust, 'tour', [otherStaff.uid]);
      expect((await store.listLines({ viewer: alice, limit: 10 })).lines).toHaveLength(2);
      expect(
        (await store.listLines({ viewer: alice, mine: true, limit: 10 })).lines.map((l) => l.object.object_id),
      ).toEqual(['room']);
      expect((await store.listLines({ viewer: otherStaff, limit: 10 })).lines.map((l) => l.object.object_id)).toEqual([
        'tour',
      ]);
      expect((await store.listLines({ viewer: cust, limit: 10 })).lines.map((l) => l.object.object_id)).toEqual([
        'tour',
        'room',
      ]);
      expect((await store.listLines({ viewer: cust, limit: 1 })).lines).toHaveLength(1);
      expect((await store.listLines({ viewer: alice, status: 'resolved', limit: 10 })).lines).toHaveLength(0);
    });

    it('transfer and status changes notify the customer and all staff; transfer refuses foreign staff', async () => {
      const { line } = await open(cust, 'room', [alice.uid]);
      const moved = await store.transfer({ line_id: line.line_id, to: bob.uid, now: tick() });
      expect(moved.line.assignee).toBe(bob.uid);
      expect(moved.heads.map((h) => h.uid).sort()).toEqual([alice.uid, bob.uid, carol.uid, cust.uid].sort());
      await expect(store.transfer({ line_id: line.line_id, to: otherStaff.uid, now: tick() })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(store.transfer({ line_id: line.line_id, to: cust.uid, now: tick() })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      const resolved = await store.setStatus({ line_id: line.line_id, status: 'resolved', now: tick() });
      expect(resolved.line.status).toBe('resolved');
      expect((await store.setStatus({ line_id: line.line_id, status: 'resolved', now: tick() })).heads).toEqual([]);
    });

    it('a message on a resolved line reopens it and goes back to the recent staff member when online', async () => {
      const { line } = await open(cust, 'room', [carol.uid]);
      await store.setStatus({ line_id: line.line_id, status: 'resolved', now: tick() });
      const back = await send({
        sender: cust,
        target: { line_id: line.line_id },
        onlineStaff: new Set([alice.uid, carol.uid]),
      });
      expect(back.line).toMatchObject({ status: 'open', assignee: carol.uid });
      await store.setStatus({ line_id: line.line_id, status: 'resolved', now: tick() });
      const carolAway = await send({
        sender: cust,
        target: { line_id: line.line_id },
        onlineStaff: new Set([alice.uid]),
      });
      expect(carolAway.line.assignee).toBe(alice.uid);
      await store.setStatus({ line_id: line.line_id, status: 'resolved', now: tick() });
      // Nobody online: the reopened line waits in the queue rather than with someone who is away.
      const nobody = await send({ sender: cust, target: { line_id: line.line_id }, onlineStaff: new Set() });
      expect(nobody.line).toMatchObject({ status: 'open', assignee: null });
    });

    it('assignQueued hands out the oldest waiting lines within capacity', async () => {
      const a = await open(cust, 'room');
      const b = await open(cust2, 'room');
      const c = await open(cust, 'suite');
      const out = await store.assignQueued({
        merchant_id: 'm1',
        onlineStaff: new Set([alice.uid]),
        now: tick(),
        stickyWindowMs: 0,
      });
      expect(out.map((o) => o.line.line_id)).toEqual([a.line.line_id, b.line.line_id]);
      expect(out.every((o) => o.line.assignee === alice.uid)).toBe(true);
      expect((await store.getLine(c.line.line_id))?.assignee).toBeNull();
      expect((await store.listStaff('m1')).find((s) => s.uid === alice.uid)?.open_lines).toBe(2);
    });

    it('an automatic assignment appends a line.assigned notice after the message, for the customer and the assignee', async () => {
      const out = await open(cust, 'room', [alice.uid]);
      const notice = {
        line_id: out.line.line_id,
        sender: alice.uid,
        sender_role: 'staff',
        random_id: null,
        content: {
          type: 'system',
          code: 'line.assigned',
          text: expect.stringContaining('ALICE') as unknown,
          params: { staff_uid: alice.uid, staff_name: 'ALICE' },
        },
      };
      const custPage = await store.sync(cust.uid, null, 10);
      expect(custPage.events.map((e) => e.kind)).toEqual(['message', 'message']);
      expect(custPage.events[1]).toMatchObject({ kind: 'message', message: notice, line: { assignee: alice.uid } });
      const alicePage = await store.sync(alice.uid, null, 10);
      expect(alicePage.events.map((e) => e.kind === 'message' && e.message.content.type)).toEqual(['text', 'system']);
      // Other staff learn of the line through a line event only.
      expect((await store.sync(bob.uid, null, 10)).events.map((e) => e.kind)).toEqual(['line']);
      const { messages } = await store.history(out.line.line_id, null, 10);
      expect(messages.map((m) => m.content.type)).toEqual(['text', 'system']);
      expect(Number(messages[1]!.message_id)).toBeGreaterThan(Number(out.message.message_id));
      // The ack is the customer's own message; later messages on an assigned line make no notice.
      expect(out.seq).toBe(custPage.events[0]!.seq);
      await send({ sender: cust, target: { line_id: out.line.line_id }, onlineStaff: new Set([bob.uid]) });
      const queued = await open(cust2);
      await send({ sender: bob, target: { line_id: queued.line.line_id } });
      const all = [
        ...(await store.history(out.line.line_id, null, 10)).messages,
        ...(await store.history(queued.line.line_id, null, 10)).messages,
      ];
      expect(all.map((m) => m.content.type)).toEqual(['text', 'system', 'text', 'text', 'text']);

      // Queued lines handed out later get their notice too.
      const waiting = await open(cust, 'suite');
      const [given] = await store.assignQueued({
        merchant_id: 'm1',
        onlineStaff: new Set([carol.uid]),
        now: tick(),
        stickyWindowMs: 0,
      });
      expect(given!.line.assignee).toBe(carol.uid);
      expect(given!.heads.map((h) => h.uid).sort()).toEqual([alice.uid, bob.uid, carol.uid, cust.uid].sort());
      const last = (await store.history(waiting.line.line_id, null, 10)).messages;
      expect(last.map((m) => m.content)).toMatchObject([
        { type: 'text' },
        { type: 'system', code: 'line.assigned', params: { staff_uid: carol.uid, staff_name: 'CAROL' } },
      ]);
      const custEvents = (await store.sync(cust.uid, null, 100)).events;
      expect(custEvents[custEvents.length - 1]).toMatchObject({ kind: 'message', message: { sender: carol.uid } });
    });

    it('a transfer appends a line.transferred notice for the customer, the new and the previous assignee', async () => {
      const { line } = await open(cust, 'room', [alice.uid]);
      const heads = async (uid: string) => (await store.inboxHead(uid)).seq;
      const before = { cust: await heads(cust.uid), alice: await heads(alice.uid), bob: await heads(bob.uid) };
      const moved = await store.transfer({ line_id: line.line_id, to: bob.uid, now: tick() });
      const notice = {
        type: 'system',
        code: 'line.transferred',
        params: { staff_uid: bob.uid, staff_name: 'BOB', from_staff_uid: alice.uid, from_staff_name: 'ALICE' },
      };
      for (const [who, uid] of [
        ['cust', cust.uid],
        ['alice', alice.uid],
        ['bob', bob.uid],
      ] as const) {
        const page = await store.sync(uid, { epoch: (await store.inboxHead(uid)).epoch, seq: before[who] }, 10);
        expect(page.events, who).toHaveLength(1);
        expect(page.events[0], who).toMatchObject({
          kind: 'message',
          message: { sender: bob.uid, random_id: null, content: notice },
          line: { assignee: bob.uid },
        });
        expect(moved.heads, who).toContainEqual(expect.objectContaining({ uid, seq: before[who] + 1 }));
      }
      const carolEvents = (await store.sync(carol.uid, null, 10)).events;
      expect(carolEvents[carolEvents.length - 1]).toMatchObject({ kind: 'line', line: { assignee: bob.uid } });
      const { messages } = await store.history(line.line_id, null, 10);
      expect(messages.map((m) => m.content.type === 'system' && m.content.code)).toEqual([
        false,
        'line.assigned',
        'line.transferred',
      ]);
    });

    it('every head carries its event, exactly as stored', async () => {
      const out = await open(cust, 'room', [alice.uid]);
      const reply = await send({ sender: alice, target: { line_id: out.line.line_id } });
      const read = await store.markRead({
        line_id: out.line.line_id,
        reader: cust,
        message_id: reply.message.message_id,
        now: tick(),
      });
      const heads = [...out.heads, ...reply.heads, ...read.heads];
      expect(heads.length).toBeGreaterThan(4);
      for (const head of heads) {
        expect(head.event, `head of ${head.uid} at ${head.seq}`).toBeTypeOf('string');
        const { epoch } = await store.inboxHead(head.uid);
        const page = await store.sync(head.uid, { epoch, seq: head.seq - 1 }, 1);
        expect(JSON.parse(head.event!)).toEqual(page.events[0]);
        expect(InboxEvent.safeParse(page.events[0]).success).toBe(true);
      }
    });

    describe('long waits', () => {
      const THRESHOLD = 120_000;
      /** Inbox events of `uid` after seq `from`. */
      const eventsAfter = async (uid: string, from: number) => {
        const { epoch } = await store.inboxHead(uid);
        return (await store.sync(uid, { epoch, seq: from }, 500)).events;
      };
      const headOf = async (uid: string) => (await store.inboxHead(uid)).seq;
      const announce = (cutoff: number, limit = 10) => store.announceWaits({ cutoff, now: tick(), limit });
      /** A line assigned to alice whose creation (which showed everyone the wait) alice has answered. */
      const answeredLine = async (customer = cust, object = 'room') => {
        const { line } = await open(customer, object, [alice.uid]);
        expect(line.assignee).toBe(alice.uid);
        await send({ sender: alice, target: { line_id: line.line_id } });
        return line.line_id;
      };

      it('the wait shown when a line is created ends for colleagues with the first reply, and only then', async () => {
        const { line } = await open(cust, 'room', [alice.uid]);
        const bobBefore = await eventsAfter(bob.uid, 0);
        expect(bobBefore.map((e) => e.kind === 'line' && e.line.waiting_since)).toEqual([line.waiting_since]);
        expect((await store.getLine(line.line_id))!.waiting_announced).toBe(true);
        const reply = await send({ sender: alice, target: { line_id: line.line_id } });
        const bobAfter = await eventsAfter(bob.uid, bobBefore.at(-1)!.seq);
        expect(bobAfter).toHaveLength(1);
        expect(bobAfter[0]).toMatchObject({
          kind: 'line',
          line: { line_id: line.line_id, waiting_since: null, last_message_at: reply.message.ts },
        });
        expect((await store.getLine(line.line_id))!.waiting_announced).toBe(false);
        expect((await store.sync(otherStaff.uid, null, 10)).events).toEqual([]);
      });

      it('quick ping-pong, a wait shorter than the threshold, reaches no colleague at all', async () => {
        const lineId = await answeredLine();
        const colleagues = [bob, carol, otherStaff];
        const before = await Promise.all(colleagues.map((u) => headOf(u.uid)));
        for (let i = 0; i < 8; i++) {
          const asked = await send({ sender: cust, target: { line_id: lineId } });
          expect(asked.heads.map((h) => h.uid).sort()).toEqual([alice.uid, cust.uid].sort());
          // The customer has waited less than the threshold: nothing to announce.
          expect(await announce(asked.message.ts - 1)).toEqual([]);
          const answered = await send({ sender: alice, target: { line_id: lineId } });
          expect(answered.heads.map((h) => h.uid).sort()).toEqual([alice.uid, cust.uid].sort());
        }
        // Answered: nothing waits, however late the cutoff.
        expect(await announce(clock + THRESHOLD)).toEqual([]);
        expect(await Promise.all(colleagues.map((u) => headOf(u.uid)))).toEqual(before);
        expect((await store.getLine(lineId))!.waiting_announced).toBe(false);
      });

      it('an announced wait reaches every colleague exactly once, and so does its end', async () => {
        const lineId = await answeredLine();
        const people = { alice, bob, carol, olga: otherStaff, cust, cust2 };
        const before = Object.fromEntries(
          await Promise.all(Object.entries(people).map(async ([k, u]) => [k, await headOf(u.uid)] as const)),
        );
        const asked = await send({ sender: cust, target: { line_id: lineId } });
        const again = await send({ sender: cust, target: { line_id: lineId } });
        expect(await announce(asked.message.ts - 1)).toEqual([]);
        const [announced, ...more] = await announce(asked.message.ts);
        expect(more).toEqual([]);
        expect(announced!.line).toMatchObject({
          line_id: lineId,
          waiting_since: asked.message.ts,
          waiting_announced: true,
        });
        expect(announced!.heads.map((h) => h.uid).sort()).toEqual([bob.uid, carol.uid].sort());
        // Each head carries its event exactly as stored.
        for (const head of announced!.heads) {
          const [stored] = await eventsAfter(head.uid, head.seq - 1);
          expect(JSON.parse(head.event!)).toEqual(stored);
          expect(InboxEvent.safeParse(stored).success).toBe(true);
        }
        expect(await announce(clock + THRESHOLD)).toEqual([]);
        for (const who of [bob, carol]) {
          const events = await eventsAfter(who.uid, before[who === bob ? 'bob' : 'carol']!);
          expect(events, who.account).toEqual([
            expect.objectContaining({
              kind: 'line',
              line: expect.objectContaining({
                line_id: lineId,
                waiting_since: asked.message.ts,
                last_message_at: again.message.ts,
              }) as unknown,
            }),
          ]);
        }
        // The assignee and the customer only ever got the messages; nobody else anything.
        expect((await eventsAfter(alice.uid, before.alice!)).map((e) => e.kind)).toEqual(['message', 'message']);
        expect((await eventsAfter(cust.uid, before.cust!)).map((e) => e.kind)).toEqual(['message', 'message']);
        expect(await headOf(otherStaff.uid)).toBe(before.olga);
        expect(await headOf(cust2.uid)).toBe(before.cust2);

        // The customer goes on waiting: still nothing for colleagues.
        await send({ sender: cust, target: { line_id: lineId } });
        const bobAnnounced = await headOf(bob.uid);
        expect(bobAnnounced).toBe(before.bob! + 1);
        // The reply ends the announced wait: once, for the same colleagues.
        const reply = await send({ sender: alice, target: { line_id: lineId } });
        expect(reply.line).toMatchObject({ waiting_since: null, waiting_announced: false });
        expect(reply.heads.map((h) => h.uid).sort()).toEqual([alice.uid, bob.uid, carol.uid, cust.uid].sort());
        for (const who of [bob, carol]) {
          const events = await eventsAfter(who.uid, bobAnnounced);
          expect(events, who.account).toEqual([
            expect.objectContaining({
              kind: 'line',
              line: expect.objectContaining({
                line_id: lineId,
                waiting_since: null,
                last_message_at: reply.message.ts,
              }) as unknown,
            }),
          ]);
        }
        expect((await store.getLine(lineId))!.waiting_announced).toBe(false);
        // A quick turn after that costs colleagues nothing again.
        await send({ sender: cust, target: { line_id: lineId } });
        await send({ sender: alice, target: { line_id: lineId } });
        expect(await headOf(bob.uid)).toBe(bobAnnounced + 1);
        expect(await headOf(otherStaff.uid)).toBe(before.olga);
      });

      it('queued and resolved lines are never announced (queued ones reach every staff member anyway)', async () => {
        const queued = await open(cust, 'room');
        expect(queued.line.assignee).toBeNull();
        const lineId = await answeredLine(cust2, 'suite');
        await send({ sender: cust2, target: { line_id: lineId } });
        await store.setStatus({ line_id: lineId, status: 'resolved', now: tick() });
        expect((await store.getLine(lineId))!.waiting_since).not.toBeNull();
        expect(await announce(clock + THRESHOLD)).toEqual([]);
      });

      it('transfer and status changes keep the flag to what colleagues were shown; resolving clears it', async () => {
        const lineId = await answeredLine();
        const asked = await send({ sender: cust, target: { line_id: lineId } });
        // A transfer shows everyone the wait, so its end must reach them, however quick.
        const moved = await store.transfer({ line_id: lineId, to: bob.uid, now: tick() });
        expect(moved.line).toMatchObject({
          assignee: bob.uid,
          waiting_since: asked.message.ts,
          waiting_announced: true,
        });
        expect(await announce(clock + THRESHOLD)).toEqual([]);
        const aliceSeen = await headOf(alice.uid);
        const reply = await send({ sender: bob, target: { line_id: lineId } });
        expect(reply.heads.map((h) => h.uid).sort()).toEqual([alice.uid, bob.uid, carol.uid, cust.uid].sort());
        expect(await eventsAfter(alice.uid, aliceSeen)).toEqual([
          expect.objectContaining({
            kind: 'line',
            line: expect.objectContaining({ assignee: bob.uid, waiting_since: null }) as unknown,
          }),
        ]);
        // Announced, then resolved: the status event is the last word, the flag goes.
        const waiting = await send({ sender: cust, target: { line_id: lineId } });
        expect(await announce(waiting.message.ts)).toHaveLength(1);
        const resolved = await store.setStatus({ line_id: lineId, status: 'resolved', now: tick() });
        expect(resolved.line).toMatchObject({ status: 'resolved', waiting_announced: false });
        // Pending keeps showing the wait: the flag is set again.
        await store.setStatus({ line_id: lineId, status: 'pending', now: tick() });
        expect((await store.getLine(lineId))!.waiting_announced).toBe(true);
        // Reopened by the customer: everyone gets the line event, then the reply ends the wait for them.
        await store.setStatus({ line_id: lineId, status: 'resolved', now: tick() });
        const back = await send({ sender: cust, target: { line_id: lineId }, onlineStaff: new Set([bob.uid]) });
        expect(back.line).toMatchObject({ status: 'open', assignee: bob.uid, waiting_announced: true });
        const carolSeen = await headOf(carol.uid);
        await send({ sender: bob, target: { line_id: lineId } });
        expect(await eventsAfter(carol.uid, carolSeen)).toEqual([
          expect.objectContaining({ kind: 'line', line: expect.objectContaining({ waiting_since: null }) as unknown }),
        ]);
      });

      it('announcements racing each other announce every wait once', async () => {
        const lineIds = [await answeredLine(cust, 'room'), await answeredLine(cust2, 'room')];
        // alice is at capacity: the third line goes to bob.
        const { line } = await open(cust, 'suite', [alice.uid, bob.uid]);
        expect(line.assignee).toBe(bob.uid);
        await send({ sender: bob, target: { line_id: line.line_id } });
        lineIds.push(line.line_id);
        const carolBefore = await headOf(carol.uid);
        for (const [i, lineId] of lineIds.entries())
          await send({ sender: i === 1 ? cust2 : cust, target: { line_id: lineId } });
        const drain = async () => {
          const out: string[] = [];
          for (let step = 0; step < 10; step++) {
            const batch = await announce(clock + THRESHOLD, 1);
            if (batch.length === 0) break;
            out.push(...batch.map((o) => o.line.line_id));
          }
          return out;
        };
        const runs = await Promise.all([drain(), drain(), drain(), drain()]);
        expect(runs.flat().sort()).toEqual([...lineIds].sort());
        const carolEvents = await eventsAfter(carol.uid, carolBefore);
        expect(carolEvents.map((e) => e.kind === 'line' && e.line.line_id).sort()).toEqual([...lineIds].sort());
        expect(await announce(clock + THRESHOLD)).toEqual([]);
      });

      it('an announcement racing the reply never leaves colleagues shown a wait that ended', async () => {
        const lineId = await answeredLine();
        for (let round = 0; round < 6; round++) {
          const bobSeen = await headOf(bob.uid);
          await send({ sender: cust, target: { line_id: lineId } });
          const [announced] = await Promise.all([
            announce(clock + THRESHOLD),
            send({ sender: alice, target: { line_id: lineId } }),
          ]);
          const told = (await eventsAfter(bob.uid, bobSeen)).filter((e) => e.kind === 'line');
          // Either the reply came first (nothing to tell) or the wait was announced and then ended.
          expect(
            told.map((e) => e.kind === 'line' && e.line.waiting_since === null),
            `round ${round}`,
          ).toEqual(announced.length === 0 ? [] : [false, true]);
          expect((await store.getLine(lineId))!.waiting_announced).toBe(false);
        }
      });

      it('refuses an announcement step that could not make progress', async () => {
        await expect(store.announceWaits({ cutoff: clock, now: clock, limit: 0 })).rejects.toThrow(/limit/);
        await expect(store.announceWaits({ cutoff: Number.NaN, now: clock, limit: 5 })).rejects.toThrow(/cutoff/);
      });
    });

    describe('inbox retention', () => {
      /** Every step until each inbox was looked at; the sum of what the steps deleted. */
      const trimAll = async (t: Omit<InboxTrim, 'from'>): Promise<{ deleted: number; steps: number }> => {
        let from: string | null = null;
        let deleted = 0;
        let steps = 0;
        do {
          const step = await store.trimInbox({ ...t, from });
          expect(step.deleted).toBeLessThanOrEqual(t.limit);
          deleted += step.deleted;
          from = step.next;
          expect(++steps).toBeLessThan(1_000);
        } while (from !== null);
        return { deleted, steps };
      };
      const seqsOf = async (uid: string) => (await store.sync(uid, null, 500)).events.map((e) => e.seq);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_v, i) => from + i);
      /** The customer's inbox gets one event per send at the given instants (after the 2 of opening the line). */
      const custInboxAt = async (times: number[]) => {
        const { line } = await open(cust, 'room', [alice.uid]);
        for (const now of times) await send({ sender: cust, target: { line_id: line.line_id }, now });
        return line;
      };

      it('trims by age, every inbox, and keeps what is newer', async () => {
        const base = clock;
        await custInboxAt([base + 10_000, base + 20_000, base + 30_000, base + 40_000]);
        // cust: 1 message, 2 notice (both at base+1000), 3..6 at base+10s..40s.
        expect(await seqsOf(cust.uid)).toEqual(range(1, 6));
        const everyone = [alice, bob, carol, otherStaff, cust, cust2];
        const before = await Promise.all(everyone.map((u) => seqsOf(u.uid)));
        const { deleted } = await trimAll({ olderThan: base + 25_000, keepNewest: null, limit: 100, users: 2 });
        expect(await seqsOf(cust.uid)).toEqual([5, 6]);
        // Alice's events are as old as the customer's and go the same way; bob's and carol's (line
        // events from when the line opened) all go but the newest.
        expect(await seqsOf(alice.uid)).toEqual(before[0]!.slice(-2));
        for (const who of [bob, carol]) expect(await seqsOf(who.uid)).toEqual([(await store.inboxHead(who.uid)).seq]);
        const after = await Promise.all(everyone.map((u) => seqsOf(u.uid)));
        expect(deleted).toBe(before.flat().length - after.flat().length);
        expect(await store.inboxHead(cust.uid)).toMatchObject({ seq: 6 });
        // Nothing left to do: a second pass deletes nothing.
        expect((await trimAll({ olderThan: base + 25_000, keepNewest: null, limit: 100, users: 2 })).deleted).toBe(0);
      });

      it('trims by count to the newest events, in bounded steps', async () => {
        await custInboxAt(Array.from({ length: 10 }, () => tick()));
        expect(await seqsOf(cust.uid)).toEqual(range(1, 12));
        const { steps } = await trimAll({ olderThan: null, keepNewest: 4, limit: 3, users: 10 });
        expect(steps).toBeGreaterThan(3);
        expect(await seqsOf(cust.uid)).toEqual(range(9, 12));
      });

      it('never deletes the newest event of an inbox, and leaves idle inboxes alone', async () => {
        await custInboxAt([tick(), tick()]);
        const otherBefore = await seqsOf(otherStaff.uid);
        const far = clock + 365 * 24 * 3600_000;
        await trimAll({ olderThan: far, keepNewest: 1, limit: 100, users: 100 });
        for (const who of [cust, alice, bob, carol]) {
          const head = await store.inboxHead(who.uid);
          expect(await seqsOf(who.uid), who.account).toEqual([head.seq]);
        }
        expect(await seqsOf(otherStaff.uid)).toEqual(otherBefore);
        expect(await seqsOf(cust2.uid)).toEqual([]);
        // New events follow the head as before.
        const later = await send({ sender: cust, target: { to: { object_id: 'room', busi_type: 'consult' } } });
        expect(await seqsOf(cust.uid)).toEqual([later.seq - 1, later.seq]);
      });

      it('keeps the retained events unbroken when a lagging clock stamped an event older than the one before', async () => {
        const base = clock + 100_000;
        // seq 3 at base, 4 at base+30s, 5 stamped by a clock 20 s behind (base+10s), 6 at base+40s.
        await custInboxAt([base, base + 30_000, base + 10_000, base + 40_000]);
        await trimAll({ olderThan: base + 20_000, keepNewest: null, limit: 100, users: 100 });
        // seq 5 is "old" but seq 4 before it is not: deleting 5 would leave a hole, so it stays.
        expect(await seqsOf(cust.uid)).toEqual([4, 5, 6]);
      });

      it('sync after a trim: a cursor below the floor is a reset from the floor; at or after it, recovered', async () => {
        await custInboxAt(Array.from({ length: 8 }, () => tick()));
        await trimAll({ olderThan: null, keepNewest: 5, limit: 100, users: 100 });
        const head = await store.inboxHead(cust.uid);
        expect(head.seq).toBe(10);
        const floor = 6;
        for (const cursor of [
          null,
          { epoch: head.epoch, seq: 0 },
          { epoch: head.epoch, seq: floor - 2 },
          { epoch: 'gone', seq: 9 },
        ]) {
          const page = await store.sync(cust.uid, cursor, 2);
          expect(page, JSON.stringify(cursor)).toMatchObject({
            outcome: 'reset',
            epoch: head.epoch,
            more: true,
            next: { seq: floor + 1 },
          });
          expect(page.events.map((e) => e.seq)).toEqual([floor, floor + 1]);
          const rest = await store.sync(cust.uid, page.next, 100);
          expect(rest).toMatchObject({ outcome: 'recovered', more: false, next: { seq: head.seq } });
          expect(rest.events.map((e) => e.seq)).toEqual(range(floor + 2, head.seq));
        }
        const atFloor = await store.sync(cust.uid, { epoch: head.epoch, seq: floor - 1 }, 100);
        expect(atFloor.outcome).toBe('recovered');
        expect(atFloor.events.map((e) => e.seq)).toEqual(range(floor, head.seq));
        const inside = await store.sync(cust.uid, { epoch: head.epoch, seq: floor + 1 }, 100);
        expect(inside.outcome).toBe('recovered');
        expect(inside.events.map((e) => e.seq)).toEqual(range(floor + 2, head.seq));
        expect(await store.sync(cust.uid, head, 100)).toMatchObject({
          outcome: 'recovered',
          events: [],
          next: head,
          more: false,
        });
        // Trimmed down to the head alone, a cursor just behind it still continues.
        await trimAll({ olderThan: null, keepNewest: 1, limit: 100, users: 100 });
        expect(await store.sync(cust.uid, { epoch: head.epoch, seq: head.seq - 1 }, 100)).toMatchObject({
          outcome: 'recovered',
          events: [{ seq: head.seq }],
        });
        expect(await store.sync(cust.uid, { epoch: head.epoch, seq: head.seq - 2 }, 100)).toMatchObject({
          outcome: 'reset',
          events: [{ seq: head.seq }],
          next: head,
          more: false,
        });
      });

      it('trims running at once, between sends, delete each event once and leave one unbroken run', async () => {
        const { line } = await open(cust, 'room', [alice.uid]);
        for (let i = 0; i < 40; i++) await send({ sender: i % 3 ? cust : alice, target: { line_id: line.line_id } });
        const people = [cust, alice, bob, carol];
        const [runs] = await Promise.all([
          Promise.all(Array.from({ length: 4 }, () => trimAll({ olderThan: null, keepNewest: 7, limit: 5, users: 2 }))),
          (async () => {
            for (let i = 0; i < 6; i++) await send({ sender: cust, target: { line_id: line.line_id } });
          })(),
        ]);
        const heads = await Promise.all(people.map((u) => store.inboxHead(u.uid)));
        const kept = await Promise.all(people.map((u) => seqsOf(u.uid)));
        // Nothing had been trimmed before: every event ever appended is either kept or counted once as deleted.
        const appended = heads.reduce((sum, h) => sum + h.seq, 0);
        expect(runs.reduce((sum, r) => sum + r.deleted, 0)).toBe(appended - kept.flat().length);
        for (const [i, who] of people.entries()) {
          const seqs = kept[i]!;
          const head = heads[i]!.seq;
          // An unbroken run up to the head, at least the newest 7 (more when a send came after a step read the head).
          expect(seqs, who.account).toEqual(range(head - seqs.length + 1, head));
          expect(seqs.length, who.account).toBeGreaterThanOrEqual(Math.min(7, head));
          expect(seqs.length, who.account).toBeLessThanOrEqual(7 + 6);
        }
      });

      it('refuses a step that could not make progress', async () => {
        await expect(
          store.trimInbox({ olderThan: null, keepNewest: 5, limit: 0, users: 10, from: null }),
        ).rejects.toThrow(/limit/);
        await expect(
          store.trimInbox({ olderThan: null, keepNewest: 0, limit: 10, users: 10, from: null }),
        ).rejects.toThrow(/keepNewest/);
      });
    });

    it('history pages backwards in message order', async () => {
      const { line } = await open(cust, 'room', [alice.uid]);
      for (let i = 0; i < 4; i++)
        await send({ sender: cust, target: { line_id: line.line_id }, content: { type: 'text', text: `m${i}` } });
      const last = await store.history(line.line_id, null, 2);
      expect(last.messages.map((m) => (m.content.type === 'text' ? m.content.text : ''))).toEqual(['m2', 'm3']);
      expect(last.more).toBe(true);
      const before = await store.history(line.line_id, last.messages[0]!.message_id, 10);
      expect(before.messages.map((m) => m.content.type)).toEqual(['text', 'system', 'text', 'text']);
      expect(before.more).toBe(false);
    });

    it('quick replies belong to their owner', async () => {
      const saved = await store.putQuickReply(alice.uid, { title: 'Hi', text: 'Hello {customer_name}' }, tick());
      expect(saved).toMatchObject({ title: 'Hi' });
      expect(await store.putQuickReply(bob.uid, { id: saved!.id, title: 'X', text: 'Y' }, tick())).toBeNull();
      expect(await store.deleteQuickReply(bob.uid, saved!.id)).toBe(false);
      expect(await store.listQuickReplies(bob.uid)).toEqual([]);
      expect(await store.putQuickReply(alice.uid, { id: saved!.id, title: 'Hi2', text: 'Hey' }, tick())).toEqual({
        id: saved!.id,
        title: 'Hi2',
        text: 'Hey',
      });
      expect(await store.deleteQuickReply(alice.uid, saved!.id)).toBe(true);
    });

    it('unknown ids name nothing', async () => {
      expect(await store.getLine('nope')).toBeNull();
      expect(await store.getLine('999')).toBeNull();
      expect(await store.getAccount('x')).toBeNull();
      await expect(send({ sender: cust, target: { line_id: '424242' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(
        send({ sender: cust, target: { to: { object_id: 'missing', busi_type: 'consult' } } }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
