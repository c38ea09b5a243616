import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRandomId } from '../../src-shared/protocol';
import { ClientStore } from '../../src-main/store/client-store';
import { openDatabase } from '../../src-main/store/database';
import { StoreError } from '../../src-main/store/errors';
import { searchMessages } from '../../src-main/store/search';
import { errorShape } from '../../src-main/core/errors';
import { seededRandom } from '../../src-main/ports/random';
import { CUSTOMER, ME, line, message, messageEvent } from './fixtures';
import { tempDir } from './helpers';

describe('ClientStore', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function open(dir?: string): { store: ClientStore; dir: string } {
    let d = dir;
    if (!d) {
      const t = tempDir();
      cleanups.push(t.cleanup);
      d = t.dir;
    }
    const path = join(d, 'messages.db');
    const store = new ClientStore(openDatabase(path, { busyTimeoutMs: 100 }), ME, path);
    cleanups.push(() => store.db.open && store.close());
    return { store, dir: d };
  }

  it('applies contiguous inbox events, skips duplicates and stops at a gap', () => {
    const { store } = open();
    expect(store.cursor()).toBeNull();
    const first = store.applyInbox('e1', [messageEvent(1, message(1, 'L1')), messageEvent(2, message(2, 'L1'))], {
      reset: true,
    });
    expect(first).toMatchObject({ applied: 2, cursor: { epoch: 'e1', seq: 2 }, gap: null });
    expect(first.changes.newMessages.map((m) => m.message_id)).toEqual(['1', '2']);

    // Overlap (seq 2 again) plus a gap (seq 4 without 3).
    const second = store.applyInbox('e1', [messageEvent(2, message(2, 'L1')), messageEvent(4, message(4, 'L1'))]);
    expect(second).toMatchObject({ applied: 0, duplicates: 1, gap: { after: 2, got: 4 }, cursor: { seq: 2 } });

    const third = store.applyInbox('e1', [messageEvent(4, message(4, 'L1')), messageEvent(3, message(3, 'L1'))]);
    expect(third).toMatchObject({ applied: 2, cursor: { seq: 4 } });
    expect(store.allMessages('L1').map((m) => m.message_id)).toEqual(['1', '2', '3', '4']);
    expect(store.line('L1')).toMatchObject({ unread: 4, last_message: { message_id: '4' } });
  });

  it('a customer’s badge counts every line of theirs, whoever is assigned', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'customer.db');
    const store = new ClientStore(openDatabase(path, { busyTimeoutMs: 100 }), CUSTOMER, path, 'customer');
    cleanups.push(() => store.db.open && store.close());
    const fromStaff = (id: number, lineId: string) => message(id, lineId, { sender: ME, sender_role: 'staff' });
    store.applyInbox(
      'e1',
      [
        messageEvent(1, fromStaff(1, 'A'), line('A')),
        messageEvent(2, fromStaff(2, 'B'), line('B', { assignee: 'other' })),
      ],
      {
        reset: true,
      },
    );
    expect(store.totalUnread()).toBe(2);
  });

  it('takes a reset page past its cursor (the server trimmed the inbox): keeps what it holds, goes on from there', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    store.addHistory([message(1, 'L1')], { line_id: 'L1', before_message_id: null, more: false });
    expect(store.history('L1', undefined, 10)).toMatchObject({ complete: true });
    const reset = store.applyInbox('e1', [messageEvent(41, message(7, 'L2')), messageEvent(42, message(8, 'L2'))], {
      reset: true,
    });
    expect(reset).toMatchObject({ applied: 2, gap: null, cursor: { epoch: 'e1', seq: 42 } });
    expect(store.allMessages('L1').map((m) => m.message_id)).toEqual(['1']);
    expect(store.allMessages('L2').map((m) => m.message_id)).toEqual(['7', '8']);
    // Events were lost in between: no history window is known complete any more.
    expect(store.history('L1', undefined, 10)).toMatchObject({ complete: false });
    expect(store.applyInbox('e1', [messageEvent(43, message(9, 'L2'))])).toMatchObject({
      applied: 1,
      cursor: { seq: 43 },
    });
  });

  it('drops what it holds on a reset that goes back below its cursor (the server lost events)', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1')), messageEvent(2, message(2, 'L1'))], { reset: true });
    store.applyInbox('e1', [messageEvent(1, message(5, 'L2'))], { reset: true });
    expect(store.allMessages('L1')).toEqual([]);
    expect(store.allMessages('L2').map((m) => m.message_id)).toEqual(['5']);
    expect(store.cursor()).toEqual({ epoch: 'e1', seq: 1 });
  });

  it('stores a message once even if it arrives under a new seq (duplicate push, two transports)', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    const again = store.applyInbox('e1', [messageEvent(2, message(1, 'L1'))]);
    expect(again.changes.newMessages).toEqual([]);
    expect(again.cursor.seq).toBe(2);
    expect(store.allMessages('L1')).toHaveLength(1);
    expect(store.line('L1')!.unread).toBe(1);
  });

  it('does not count system notices (assignment, transfer) as unread', () => {
    const { store } = open();
    const notice = message(2, 'L1', {
      sender_role: 'staff',
      random_id: null,
      content: { type: 'system', code: 'line.assigned', text: 'Alice is looking after this conversation' },
    });
    store.applyInbox(
      'e1',
      [messageEvent(1, message(1, 'L1')), messageEvent(2, notice), messageEvent(3, message(3, 'L1'))],
      {
        reset: true,
      },
    );
    expect(store.allMessages('L1').map((m) => m.message_id)).toEqual(['1', '2', '3']);
    expect(store.line('L1')!.unread).toBe(2);
    // A read from another of my devices recounts from the read pointer: the notice still does not count.
    store.applyInbox('e1', [{ kind: 'read', seq: 4, line_id: 'L1', reader: ME, message_id: '1' }]);
    expect(store.line('L1')!.unread).toBe(1);
  });

  it('refuses events of another epoch until a sync reset, which drops server state but keeps the outbox', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    const rid = makeRandomId(5_000, seededRandom(1));
    store.enqueue({
      line_id: 'L1',
      content: { type: 'text', text: 'pending' },
      random_id: rid,
      role: 'staff',
      now: 5_000,
    });
    expect(store.applyInbox('e2', [messageEvent(1, message(1, 'L1'))]).epochMismatch).toBe(true);
    const reset = store.applyInbox('e2', [messageEvent(1, message(7, 'L1'))], { reset: true });
    expect(reset.cursor).toEqual({ epoch: 'e2', seq: 1 });
    expect(store.allMessages('L1').map((m) => m.key)).toEqual(['7', `local:${rid}`]);
    expect(store.outbox().map((o) => o.random_id)).toEqual([rid]);
  });

  it('outbox: echo first, in order, replaced by the server copy matched by random_id (ack or inbox first)', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    const random = seededRandom(3);
    const ids = [makeRandomId(10, random), makeRandomId(11, random), makeRandomId(12, random)];
    for (const [i, rid] of ids.entries()) {
      const echo = store.enqueue({
        line_id: 'L1',
        content: { type: 'text', text: `out ${i}` },
        random_id: rid,
        role: 'staff',
        now: 2_000 + i,
      });
      expect(echo).toMatchObject({ state: 'sending', message_id: null, key: `local:${rid}` });
    }
    expect(store.outbox().map((o) => o.random_id)).toEqual(ids);

    // Ack for the first.
    const mine = (id: number, rid: string) => message(id, 'L1', { sender: ME, sender_role: 'staff', random_id: rid });
    const acked = store.acknowledge(ids[0]!, mine(2, ids[0]!), line('L1'));
    expect(acked.updatedMessages).toMatchObject([{ message_id: '2', state: 'sent', key: '2' }]);
    // The inbox copy of the same message afterwards: nothing new.
    expect(store.applyInbox('e1', [messageEvent(2, mine(2, ids[0]!))]).changes.newMessages).toEqual([]);
    // The inbox brings the second before its ack: it replaces the echo and leaves the outbox.
    const viaInbox = store.applyInbox('e1', [messageEvent(3, mine(3, ids[1]!))]);
    expect(viaInbox.changes.updatedMessages.map((m) => m.message_id)).toEqual(['3']);
    expect(store.outbox().map((o) => o.random_id)).toEqual([ids[2]]);
    expect(store.acknowledge(ids[1]!, mine(3, ids[1]!), line('L1')).updatedMessages).toEqual([]);

    const all = store.allMessages('L1');
    expect(all.map((m) => m.key)).toEqual(['1', '2', '3', `local:${ids[2]}`]);
    expect(store.line('L1')!.unread).toBe(1);
  });

  it('permanent rejection marks failed with the reason; retry re-queues with the same random_id; delete removes it', () => {
    const { store } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    const rid = makeRandomId(10, seededRandom(4));
    store.enqueue({ line_id: 'L1', content: { type: 'text', text: 'x' }, random_id: rid, role: 'staff', now: 10 });
    const failed = store.fail(rid, errorShape('FORBIDDEN', 'not your line'));
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } });
    expect(store.outbox()).toEqual([]);
    expect(store.retry(rid, 20)).toMatchObject({ state: 'sending', error: null, random_id: rid });
    expect(store.outbox().map((o) => o.body.random_id)).toEqual([rid]);
    store.fail(rid, errorShape('FORBIDDEN', 'still not'));
    expect(store.deleteFailed(rid)).toBe('L1');
    expect(store.deleteFailed(rid)).toBeNull();
    expect(store.allMessages('L1').map((m) => m.key)).toEqual(['1']);
  });

  it('read pointers: mine clears unread, the peer’s turns my messages to read', () => {
    const { store } = open();
    const mine = message(2, 'L1', { sender: ME, sender_role: 'staff' });
    store.applyInbox(
      'e1',
      [messageEvent(1, message(1, 'L1')), messageEvent(2, mine), messageEvent(3, message(3, 'L1'))],
      { reset: true },
    );
    expect(store.line('L1')!.unread).toBe(2);
    const r = store.applyInbox('e1', [{ kind: 'read', seq: 4, line_id: 'L1', reader: ME, message_id: '1' }]);
    expect([...r.changes.unread]).toEqual(['L1']);
    expect(store.line('L1')!.unread).toBe(1);
    const peer = store.applyInbox('e1', [{ kind: 'read', seq: 5, line_id: 'L1', reader: CUSTOMER, message_id: '3' }]);
    expect(peer.changes.updatedMessages).toMatchObject([{ message_id: '2', state: 'read' }]);
    expect(store.markRead('L1', 100)).toBe('3');
    expect(store.line('L1')!.unread).toBe(0);
    expect(store.totalUnread()).toBe(0);
  });

  it('knows which history pages it holds completely, and forgets when a line’s messages stop reaching it', () => {
    const { store } = open();
    const events = Array.from({ length: 10 }, (_, i) => messageEvent(i + 1, message(i + 1, 'L1')));
    store.applyInbox('e1', events, { reset: true });
    const page = (before?: string, limit = 4) => store.history('L1', before, limit);
    // Everything came through the inbox, but the store cannot know nothing came before it.
    expect(page()).toMatchObject({ more: true, complete: false });

    // The server's newest 4 (7..10) open the window at 7.
    store.addHistory(
      events.slice(6).map((e) => (e as { message: ReturnType<typeof message> }).message),
      {
        line_id: 'L1',
        before_message_id: null,
        more: true,
      },
    );
    expect(page()).toMatchObject({ complete: true, more: true });
    expect(page().messages.map((m) => m.key)).toEqual(['7', '8', '9', '10']);
    expect(page('8', 1)).toMatchObject({ complete: true });
    expect(page('8', 2)).toMatchObject({ complete: false }); // 6 lies below the window
    // A page just before 7 (3..6) extends it; one before 3 with more: false reaches the start.
    store.addHistory(
      [3, 4, 5, 6].map((i) => message(i, 'L1')),
      { line_id: 'L1', before_message_id: '7', more: true },
    );
    expect(page('7')).toMatchObject({ complete: true });
    expect(page('3')).toMatchObject({ complete: false });
    store.addHistory(
      [1, 2].map((i) => message(i, 'L1')),
      { line_id: 'L1', before_message_id: '3', more: false },
    );
    expect(page('3')).toMatchObject({ complete: true, more: false });
    expect(page(undefined, 50)).toMatchObject({ complete: true, more: false });
    // A page fetched before a message outside any window extends nothing.
    store.applyInbox('e1', [messageEvent(11, message(20, 'L2'))]);
    store.addHistory([message(19, 'L2')], { line_id: 'L2', before_message_id: '20', more: true });
    expect(store.history('L2', undefined, 5)).toMatchObject({ complete: false });

    // Transferred to a colleague: the line's messages stop coming here, so the window is gone — and
    // stays gone when the line comes back (what was said meanwhile is a hole).
    store.applyInbox('e1', [{ kind: 'line', seq: 12, line: line('L1', { assignee: 'other' }) }]);
    expect(page()).toMatchObject({ complete: false });
    store.addHistory([message(10, 'L1')], { line_id: 'L1', before_message_id: null, more: true });
    expect(page(undefined, 1)).toMatchObject({ complete: false }); // not ours: no window opens
    store.applyInbox('e1', [{ kind: 'line', seq: 13, line: line('L1', { assignee: ME }) }]);
    expect(page()).toMatchObject({ complete: false });
    // Queued lines reach every staff member: a window opens and survives.
    store.applyInbox('e1', [{ kind: 'line', seq: 14, line: line('L1', { assignee: null }) }]);
    store.addHistory([message(10, 'L1')], { line_id: 'L1', before_message_id: null, more: true });
    expect(page(undefined, 1)).toMatchObject({ complete: true });
  });

  it('a customer’s line keeps its window whoever is assigned', () => {
    const { store } = open();
    const mine = line('L1', { uid: ME, assignee: 'staff-a' });
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'), mine)], { reset: true });
    store.addHistory([message(1, 'L1')], { line_id: 'L1', before_message_id: null, more: false });
    store.applyInbox('e1', [{ kind: 'line', seq: 2, line: { ...mine, assignee: 'staff-b' } }]);
    expect(store.history('L1', undefined, 5)).toMatchObject({ complete: true, more: false });
  });

  it('writes each line once per page yet keeps unread, order, read pointers and reach exact within the page', () => {
    const { store } = open();
    const mine = (id: number) => message(id, 'L1', { sender: ME, sender_role: 'staff', random_id: null });
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    store.addHistory([message(1, 'L1')], { line_id: 'L1', before_message_id: null, more: false });
    const page = store.applyInbox('e1', [
      messageEvent(2, message(2, 'L1')),
      messageEvent(3, message(3, 'L1')),
      // My other device read up to 2 mid-page: only 3 and later stay unread.
      { kind: 'read', seq: 4, line_id: 'L1', reader: ME, message_id: '2' },
      messageEvent(5, message(4, 'L1')),
      messageEvent(6, mine(5)),
      // Someone else's for a moment (a transfer away and back within one page): the window goes.
      messageEvent(7, message(6, 'L1'), line('L1', { assignee: 'other' })),
      messageEvent(8, message(7, 'L1'), line('L1', { peer_read_message_id: '5' })),
      messageEvent(9, message(8, 'L2')),
    ]);
    expect(page.applied).toBe(8);
    expect(store.unreadOf('L1')).toBe(4); // 3, 4, 6, 7
    expect(store.unreadOf('L2')).toBe(1);
    expect(store.line('L1')!.last_message?.message_id).toBe('7');
    expect(store.line('L1')!.assignee).toBe(ME);
    expect(store.allMessages('L1').find((m) => m.message_id === '5')!.state).toBe('read');
    expect(page.changes.updatedMessages.map((m) => [m.message_id, m.state])).toEqual([['5', 'read']]);
    expect([...page.changes.unread].sort()).toEqual(['L1', 'L2']);
    expect(store.history('L1', undefined, 50)).toMatchObject({ complete: false });
    expect(store.lines().map((l) => l.line_id)).toEqual(['L2', 'L1']);
  });

  it('keeps read receipts for the server across a reopen until delivered; the newest read wins', () => {
    const { store, dir } = open();
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1')), messageEvent(2, message(2, 'L2'))], { reset: true });
    expect(store.markRead('L2', 10)).toBe('2');
    expect(store.markRead('L1', 20)).toBe('1');
    store.applyInbox('e1', [messageEvent(3, message(3, 'L1'))]);
    expect(store.markRead('L1', 30)).toBe('3');
    expect(store.markRead('EMPTY', 40)).toBeNull();
    store.close();

    const again = open(dir).store;
    expect(again.pendingReads()).toEqual([
      { line_id: 'L2', message_id: '2' },
      { line_id: 'L1', message_id: '3' },
    ]);
    // An answer for an older receipt does not drop the newer one that replaced it.
    again.readDelivered('L1', '1');
    again.readDelivered('L2', '2');
    expect(again.pendingReads()).toEqual([{ line_id: 'L1', message_id: '3' }]);
    // The server's own read event (another device read this far) settles it too.
    again.applyInbox('e1', [{ kind: 'read', seq: 4, line_id: 'L1', reader: ME, message_id: '3' }]);
    expect(again.pendingReads()).toEqual([]);
  });

  it('lists lines by activity with filters, mutes and history paging', () => {
    const { store } = open();
    store.applyInbox(
      'e1',
      [
        messageEvent(1, message(1, 'A'), line('A', { busi_type: 'private' })),
        messageEvent(2, message(2, 'B'), line('B', { assignee: 'other' })),
        ...Array.from({ length: 8 }, (_, i) =>
          messageEvent(3 + i, message(3 + i, 'A'), line('A', { busi_type: 'private' })),
        ),
      ],
      { reset: true },
    );
    expect(store.lines().map((l) => l.line_id)).toEqual(['A', 'B']);
    expect(store.lines({ mine: true }).map((l) => l.line_id)).toEqual(['A']);
    expect(store.lines({ busi_type: 'consult' }).map((l) => l.line_id)).toEqual(['B']);
    // B is a colleague's line: its unread shows on its row but not in the badge.
    expect(store.line('B')!.unread).toBe(1);
    expect(store.totalUnread()).toBe(9);
    store.setMuted('A', true, 1);
    expect(store.line('A')!.muted).toBe(true);
    expect(store.totalUnread()).toBe(0);
    store.setMuted('A', false, 2);
    store.applyInbox('e1', [{ kind: 'line', seq: 11, line: line('B', { assignee: null, assignee_name: null }) }]);
    expect(store.totalUnread()).toBe(10);
    const page1 = store.history('A', undefined, 4);
    expect(page1.messages.map((m) => m.message_id)).toEqual(['7', '8', '9', '10']);
    expect(page1.more).toBe(true);
    const page2 = store.history('A', page1.messages[0]!.key, 10);
    expect(page2).toMatchObject({ more: false });
    expect(page2.messages.map((m) => m.message_id)).toEqual(['1', '3', '4', '5', '6']);
  });

  it('searches Chinese and English text, short queries included', () => {
    const { store } = open();
    const texts = [
      '请问湖景房明天还有空房吗',
      '我们的酒店提供免费早餐',
      'Is breakfast included?',
      '好的，谢谢',
      'ok see you',
    ];
    store.applyInbox(
      'e1',
      texts.map((text, i) => messageEvent(i + 1, message(i + 1, 'L1', { content: { type: 'text', text } }))),
      { reset: true },
    );
    const find = (q: string) => searchMessages(store, q, 10).map((h) => (h.message.content as { text: string }).text);
    expect(find('湖景房')).toEqual([texts[0]]);
    expect(find('免费早餐')).toEqual([texts[1]]);
    expect(find('BREAKFAST')).toEqual([texts[2]]);
    expect(find('谢谢')).toEqual([texts[3]]);
    expect(find('房')).toEqual([texts[0]]);
    expect(find('ok')).toEqual([texts[4]]);
    expect(find('酒店 早')).toEqual([texts[1]]);
    expect(find('100%')).toEqual([]);
    const hit = searchMessages(store, '湖景房', 1)[0]!;
    expect(hit.snippet).toContain('湖景房');
    expect(hit.line?.line_id).toBe('L1');
  });

  it('indexes every message it writes for search, whatever the path, and the index stays consistent', () => {
    const { store } = open();
    const text = (t: string) => ({ content: { type: 'text' as const, text: t } });
    const integrity = () =>
      store.db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run();
    const find = (q: string) => searchMessages(store, q, 10).map((h) => h.message.key);
    store.applyInbox('e1', [messageEvent(1, message(1, 'L1', text('inbox breakfast')))], { reset: true });
    const echo = store.enqueue({
      line_id: 'L1',
      content: { type: 'text', text: 'echo breakfast' },
      random_id: makeRandomId(5_000, seededRandom(3)),
      role: 'staff',
      now: 5_000,
    });
    const doomed = store.enqueue({
      line_id: 'L1',
      content: { type: 'text', text: 'doomed breakfast' },
      random_id: makeRandomId(5_001, seededRandom(4)),
      role: 'staff',
      now: 5_001,
    });
    expect(find('breakfast')).toHaveLength(3);
    // The echo becomes the server copy (the update trigger re-indexes the row).
    store.acknowledge(
      echo.random_id!,
      { ...message(2, 'L1', text('echo breakfast, served')), sender: ME, random_id: echo.random_id },
      line('L1'),
    );
    store.fail(doomed.random_id!, errorShape('FORBIDDEN', 'no'));
    store.deleteFailed(doomed.random_id!);
    store.addHistory([message(0, 'L1', text('history breakfast'))]);
    integrity();
    expect(find('breakfast').sort()).toEqual(['0', '1', '2']);
    expect(find('served')).toEqual(['2']);
    // A reset drops server state: its rows leave the index too.
    store.applyInbox('e2', [messageEvent(1, message(7, 'L2', text('new epoch breakfast')))], { reset: true });
    integrity();
    expect(find('breakfast')).toEqual(['7']);
  });
});

describe('database failures are typed errors and the file is left alone', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  it('a file that is not a database → STORE_CORRUPT, file unchanged', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'messages.db');
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(path, garbage);
    let error: unknown;
    try {
      openDatabase(path, { busyTimeoutMs: 50 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).toShape()).toMatchObject({ code: 'STORE_CORRUPT', temporary: false });
    expect(Buffer.compare(readFileSync(path), garbage)).toBe(0);
  });

  it('a database locked by another process → STORE_LOCKED (temporary)', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'messages.db');
    const db = openDatabase(path, { busyTimeoutMs: 50 });
    const store = new ClientStore(db, ME, path);
    const other = new Database(path);
    cleanups.push(() => {
      other.close();
      db.close();
    });
    other.exec('BEGIN EXCLUSIVE');
    let error: unknown;
    try {
      store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true });
    } catch (err) {
      error = err;
    }
    expect((error as StoreError).toShape()).toMatchObject({ code: 'STORE_LOCKED', temporary: true });
    other.exec('ROLLBACK');
    expect(store.applyInbox('e1', [messageEvent(1, message(1, 'L1'))], { reset: true }).applied).toBe(1);
  });

  it('a full disk → STORE_FULL', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'messages.db');
    const db = openDatabase(path, { busyTimeoutMs: 50 });
    cleanups.push(() => db.close());
    const store = new ClientStore(db, ME, path);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    let error: unknown;
    try {
      store.applyInbox(
        'e1',
        Array.from({ length: 500 }, (_, i) =>
          messageEvent(i + 1, message(i + 1, 'L1', { content: { type: 'text', text: 'x'.repeat(2000) } })),
        ),
        { reset: true },
      );
    } catch (err) {
      error = err;
    }
    expect((error as StoreError).toShape()).toMatchObject({ code: 'STORE_FULL' });
    // The failed page left nothing half-written: the cursor did not move.
    expect(store.cursor()).toBeNull();
  });
});
