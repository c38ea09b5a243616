import { describe, expect, it, vi } from 'vitest';
import { makeStore } from '../../src-renderer/app/store';
import { bridgeStateChanged } from '../../src-renderer/features/connection/connectionSlice';
import { connectBus } from '../../src-renderer/app/bus';
import {
  draftEdited,
  messageReceived,
  messageUpdated,
  replySubmitted,
  typingReceived,
  historyRequested,
} from '../../src-renderer/features/conversation/conversationSlice';
import { makeSelectConversationRows } from '../../src-renderer/features/conversation/selectors';
import {
  filtersChanged,
  lineOpened,
  linesRequested,
  lineUpdated,
  unreadChanged,
} from '../../src-renderer/features/lines/linesSlice';
import {
  neighbourLine,
  nextUnreadLine,
  selectLineById,
  selectTotalUnread,
  selectVisibleLineIds,
} from '../../src-renderer/features/lines/selectors';
import { quickReplyChosen, quickRepliesRequested } from '../../src-renderer/features/quickReplies/quickRepliesSlice';
import { sessionChanged, sessionRequested } from '../../src-renderer/features/session/sessionSlice';
import { windowFocusChanged } from '../../src-renderer/features/workspace/workspaceSlice';
import { FakeApi } from './support/fakeApi';
import { makeLine, makeMessage, ME, NOW, SIGNED_IN, SIGNED_OUT } from './support/fixtures';

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

async function signedInStore(api: FakeApi) {
  const store = makeStore({ api, now: () => NOW });
  await store.dispatch(sessionRequested());
  await flush();
  return store;
}

describe('conversation slice', () => {
  it('keeps a line in (ts, key) order whatever order messages arrive in', async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1)] }));
    const [a, b, c] = [makeMessage('L1', { ts: 100 }), makeMessage('L1', { ts: 200 }), makeMessage('L1', { ts: 300 })];
    store.dispatch(messageReceived(c));
    store.dispatch(messageReceived(a));
    store.dispatch(messageReceived(b));
    expect(store.getState().conversation.history.L1!.keys).toEqual([a.key, b.key, c.key]);
  });

  it('replaces the local echo with the server copy in place, once', async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1)] }));
    const before = makeMessage('L1', { ts: 100 });
    const echo = makeMessage('L1', {
      message_id: null,
      random_id: 'lx01-abcdefabcdefabcd',
      key: 'local:lx01-abcdefabcdefabcd',
      state: 'sending',
      sender_role: 'staff',
      ts: 500,
    });
    store.dispatch(messageReceived(before));
    store.dispatch(messageReceived(echo));
    const server = { ...echo, message_id: 'M900', key: 'M900', state: 'sent' as const, ts: 480 };
    store.dispatch(messageUpdated(server));
    store.dispatch(messageReceived(server)); // the same copy again (two transports) changes nothing
    const s = store.getState().conversation;
    expect(s.history.L1!.keys).toEqual([before.key, 'M900']);
    expect(s.messages.entities['local:lx01-abcdefabcdefabcd']).toBeUndefined();
    expect(s.messages.entities.M900!.state).toBe('sent');
  });

  it('pages history backwards with before_key and stops when the core says there is no more', async () => {
    const messages = Array.from({ length: 120 }, (_, i) => makeMessage('L1', { ts: 1000 + i }));
    const api = new FakeApi({ lines: [makeLine(1)], history: { L1: messages } });
    const store = await signedInStore(api);
    await store.dispatch(historyRequested({ line_id: 'L1' }));
    await store.dispatch(historyRequested({ line_id: 'L1' }));
    await store.dispatch(historyRequested({ line_id: 'L1' }));
    const again = await store.dispatch(historyRequested({ line_id: 'L1' }));
    expect(historyRequested.rejected.match(again) && again.meta.condition).toBe(true); // nothing left: not even asked
    expect(api.callsOf('history.load').map((a) => a.before_key)).toEqual([
      undefined,
      messages[70]!.key,
      messages[20]!.key,
    ]);
    expect(store.getState().conversation.history.L1!.keys).toEqual(messages.map((m) => m.key));
  });

  it('gives the text back to the draft when a send is refused', async () => {
    const api = new FakeApi({ lines: [makeLine(1)] }, { 'message.send': () => Promise.reject(new Error('nope')) });
    const store = await signedInStore(api);
    store.dispatch(draftEdited({ line_id: 'L1', text: 'hello' }));
    await store.dispatch(replySubmitted({ line_id: 'L1', text: 'hello' }));
    expect(store.getState().conversation.drafts.L1).toBe('hello');
    expect(store.getState().conversation.sendError?.message).toBe('nope');
  });

  it("derives rows with a day separator wherever the local day changes, and keeps them for other lines' traffic", async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1), makeLine(2)] }));
    const day1 = new Date(2024, 4, 12, 23, 0).getTime();
    const day2 = new Date(2024, 4, 13, 1, 0).getTime();
    store.dispatch(messageReceived(makeMessage('L1', { ts: day1 })));
    store.dispatch(messageReceived(makeMessage('L1', { ts: day1 + 1 })));
    store.dispatch(messageReceived(makeMessage('L1', { ts: day2 })));
    const select = makeSelectConversationRows();
    const rows = select(store.getState(), 'L1');
    expect(rows.map((r) => r.dayStart)).toEqual([day1, null, day2]);
    store.dispatch(messageReceived(makeMessage('L2', { ts: day2 })));
    expect(select(store.getState(), 'L1')).toBe(rows);
  });

  it("drops a typing notice when that customer's message arrives", async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1)] }));
    store.dispatch(typingReceived({ line_id: 'L1', uid: 'c1', display_name: 'Ann', until: NOW + 5000 }));
    expect(store.getState().conversation.typing.L1?.display_name).toBe('Ann');
    store.dispatch(messageReceived(makeMessage('L1')));
    expect(store.getState().conversation.typing.L1).toBeUndefined();
  });

  it('lets a typing notice fade after 5 s unless renewed', async () => {
    vi.useFakeTimers();
    try {
      let now = NOW;
      const api = new FakeApi({ lines: [makeLine(1)] });
      const store = makeStore({ api, now: () => now });
      const off = connectBus(api, store.dispatch, () => now);
      api.emit('typing', { line_id: 'L1', uid: 'c1', display_name: 'Ann' });
      now += 3000;
      await vi.advanceTimersByTimeAsync(3000);
      api.emit('typing', { line_id: 'L1', uid: 'c1', display_name: 'Ann' });
      now += 3000;
      await vi.advanceTimersByTimeAsync(3000);
      expect(store.getState().conversation.typing.L1).toBeDefined(); // renewed at 3 s, so still shown at 6 s
      now += 2500;
      await vi.advanceTimersByTimeAsync(2500);
      expect(store.getState().conversation.typing.L1).toBeUndefined();
      off();
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets everything of the session when it ends', async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1)] }));
    store.dispatch(messageReceived(makeMessage('L1')));
    store.dispatch(sessionChanged(SIGNED_OUT));
    expect(store.getState().conversation.messages.ids).toEqual([]);
    expect(store.getState().lines.ids).toEqual([]);
  });
});

describe('lines slice and selectors', () => {
  it('sorts by last activity and filters by busi_type, status and "assigned to me"', async () => {
    const lines = [
      makeLine(1),
      makeLine(2),
      makeLine(3, { status: 'resolved' }),
      makeLine(4, { last_message_at: null, created_at: NOW }),
    ];
    const store = await signedInStore(new FakeApi({ lines }));
    await flush();
    expect(selectVisibleLineIds(store.getState())).toEqual(['L4', 'L1', 'L2', 'L3']);
    store.dispatch(filtersChanged({ mine: true }));
    expect(selectVisibleLineIds(store.getState())).toEqual(['L4', 'L2']);
    store.dispatch(filtersChanged({ mine: false, status: 'resolved' }));
    expect(selectVisibleLineIds(store.getState())).toEqual(['L3']);
    store.dispatch(filtersChanged({ status: null, busi_type: 'private' }));
    expect(selectVisibleLineIds(store.getState())).toEqual(['L4', 'L1']);
  });

  it('moves a line to the top when a message arrives and shows it as the preview', async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1), makeLine(2), makeLine(3)] }));
    await flush();
    const m = makeMessage('L3', { ts: NOW + 1 });
    store.dispatch(messageReceived(m));
    expect(selectVisibleLineIds(store.getState())[0]).toBe('L3');
    expect(selectLineById(store.getState(), 'L3')!.last_message?.key).toBe(m.key);
  });

  it('keeps the same visible-ids array when nothing it depends on changed', async () => {
    const store = await signedInStore(new FakeApi({ lines: [makeLine(1), makeLine(2)] }));
    await flush();
    const first = selectVisibleLineIds(store.getState());
    store.dispatch(windowFocusChanged({ focused: false, visible: true }));
    expect(selectVisibleLineIds(store.getState())).toBe(first);
  });

  it('keeps the incremental order identical to a full sort through random updates, and the same array when order holds', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lines = Array.from({ length: 300 }, (_, i) =>
      makeLine(i, { last_message_at: NOW - Math.floor(random() * 50) * 1000 }),
    );
    const store = await signedInStore(new FakeApi({ lines }));
    await flush();
    store.dispatch(filtersChanged({ status: 'open' }));
    const expected = () =>
      store
        .getState()
        .lines.ids.map((id) => selectLineById(store.getState(), id)!)
        .filter((l) => l.status === 'open')
        .sort(
          (a, b) =>
            (b.last_message_at ?? b.created_at) - (a.last_message_at ?? a.created_at) ||
            (a.line_id < b.line_id ? -1 : 1),
        )
        .map((l) => l.line_id);
    for (let step = 0; step < 400; step++) {
      const line = selectLineById(store.getState(), `L${Math.floor(random() * 300)}`)!;
      const r = random();
      const next =
        r < 0.5
          ? { ...line, last_message_at: NOW + step * 10 - Math.floor(random() * 3000) }
          : r < 0.8
            ? { ...line, status: random() < 0.5 ? ('open' as const) : ('resolved' as const) }
            : { ...line, unread: line.unread + 1 };
      const before = selectVisibleLineIds(store.getState());
      store.dispatch(lineUpdated(next));
      const after = selectVisibleLineIds(store.getState());
      expect(after).toEqual(expected());
      if (r >= 0.8) expect(after).toBe(before);
    }
  });

  it('badges unread on my lines and the queue, not on muted lines or a colleague’s', async () => {
    const lines = [
      makeLine(2, { unread: 2 }), // mine
      makeLine(4, { unread: 5, muted: true }), // mine, muted
      makeLine(5, { unread: 3, assignee: null, assignee_name: null }), // queued
      makeLine(7, { unread: 11 }), // a colleague's (odd lines are s2's)
    ];
    const store = await signedInStore(new FakeApi({ lines }));
    await flush();
    expect(selectTotalUnread(store.getState())).toBe(5);
    store.dispatch(unreadChanged({ line_id: 'L2', unread: 7, total: 10 }));
    expect(selectTotalUnread(store.getState())).toBe(10);
    store.dispatch(lineUpdated({ ...lines[3]!, assignee: ME.uid, assignee_name: ME.display_name }));
    expect(selectTotalUnread(store.getState())).toBe(21);
  });

  it('walks neighbours and the next unread line, wrapping', () => {
    const ids = ['a', 'b', 'c', 'd'];
    expect(neighbourLine(ids, null, 1)).toBe('a');
    expect(neighbourLine(ids, null, -1)).toBe('d');
    expect(neighbourLine(ids, 'd', 1)).toBe('a');
    expect(neighbourLine(ids, 'a', -1)).toBe('d');
    expect(neighbourLine([], null, 1)).toBeNull();
    const unread: Record<string, number> = { a: 1, c: 2 };
    expect(nextUnreadLine(ids, 'a', (id) => unread[id] ?? 0)).toBe('c');
    expect(nextUnreadLine(ids, 'c', (id) => unread[id] ?? 0)).toBe('a');
    expect(nextUnreadLine(ids, null, () => 0)).toBeNull();
  });
});

describe('listeners', () => {
  it('mirrors the request stack: list, then the open line; switching lines pops then pushes', async () => {
    const api = new FakeApi({ lines: [makeLine(1), makeLine(2)] });
    const store = await signedInStore(api);
    store.dispatch(lineOpened('L1'));
    store.dispatch(lineOpened('L2'));
    store.dispatch(filtersChanged({ busi_type: 'consult' }));
    await flush();
    const stackCalls = api.calls
      .filter((c) => c.method === 'need.push' || c.method === 'need.pop')
      .map((c) => (c.method === 'need.pop' ? 'pop' : JSON.stringify((c.args as { need: unknown }).need)));
    expect(stackCalls).toEqual([
      '{"view":"list"}',
      '{"view":"line","line_id":"L1"}',
      'pop',
      '{"view":"line","line_id":"L2"}',
      'pop',
      'pop',
      '{"view":"list","busi_type":"consult"}',
      '{"view":"line","line_id":"L2"}',
    ]);
  });

  it('marks the open line read in an attended window, and waits while the window is away', async () => {
    const api = new FakeApi({ lines: [makeLine(1, { unread: 0 })] });
    const store = await signedInStore(api);
    await flush();
    store.dispatch(lineOpened('L1'));
    store.dispatch(windowFocusChanged({ focused: false, visible: true }));
    store.dispatch(lineUpdated({ ...makeLine(1), unread: 1 }));
    await flush();
    expect(api.callsOf('line.markRead')).toEqual([]);
    store.dispatch(windowFocusChanged({ focused: true, visible: true }));
    await flush();
    expect(api.callsOf('line.markRead')).toEqual([{ line_id: 'L1' }]);
    expect(selectLineById(store.getState(), 'L1')!.unread).toBe(0);
  });

  it('sends a typing notice at most every 3 s per line', async () => {
    let now = NOW;
    const api = new FakeApi({ lines: [makeLine(1)] });
    const store = makeStore({ api, now: () => now });
    store.dispatch(draftEdited({ line_id: 'L1', text: 'h' }));
    store.dispatch(draftEdited({ line_id: 'L1', text: 'he' }));
    now += 3000;
    store.dispatch(draftEdited({ line_id: 'L1', text: 'hel' }));
    store.dispatch(draftEdited({ line_id: 'L1', text: '' }));
    await flush();
    expect(api.callsOf('line.typing')).toHaveLength(2);
  });

  it('loads lines, staff and quick replies on sign-in, and fills quick-reply placeholders into the draft', async () => {
    const api = new FakeApi({
      session: SIGNED_OUT,
      lines: [
        makeLine(7, {
          customer_name: 'Zhang San',
          object: { object_id: 'h1', kind: 'hotel', title: 'Lakeview Hotel', merchant_id: 'm1' },
        }),
      ],
      quickReplies: [
        {
          id: 'q1',
          title: 'Hi',
          text: 'Hello {customer_name}, thanks for asking about {object_title}. {staff_name} {unknown}',
        },
      ],
    });
    const store = makeStore({ api, now: () => NOW });
    const off = connectBus(api, store.dispatch, () => NOW);
    api.emit('session.changed', SIGNED_IN);
    await flush();
    expect(store.getState().lines.ids).toEqual(['L7']);
    await store.dispatch(quickRepliesRequested());
    store.dispatch(draftEdited({ line_id: 'L7', text: 'Hi!' }));
    await store.dispatch(quickReplyChosen({ line_id: 'L7', id: 'q1' }));
    expect(store.getState().conversation.drafts.L7).toBe(
      'Hi!\nHello Zhang San, thanks for asking about Lakeview Hotel. Li Na {unknown}',
    );
    off();
    expect(api.listenerCount('message.new')).toBe(0);
  });

  it('asks for session and lines again when the bridge to the host comes back', async () => {
    const api = new FakeApi({ lines: [makeLine(1)] });
    const store = await signedInStore(api);
    await flush();
    const before = api.callsOf('lines.list').length;
    store.dispatch(bridgeStateChanged('down'));
    store.dispatch(bridgeStateChanged('up'));
    await flush();
    expect(api.callsOf('lines.list').length).toBe(before + 1);
    expect(api.callsOf('session.get').length).toBe(2);
  });

  it('routes every bus topic to its event action', async () => {
    const api = new FakeApi({ lines: [makeLine(1)] });
    const store = makeStore({ api, now: () => NOW });
    const off = connectBus(api, store.dispatch, () => NOW);
    await store.dispatch(linesRequested());
    api.emit('line.updated', makeLine(1, { status: 'pending' }));
    api.emit('channel.state', { status: 'offline', transport: null, retry_at: null, last_error: null, since: 5 });
    api.emit('ui.openLine', { line_id: 'L1', message_id: 'M5' });
    const s = store.getState();
    expect(selectLineById(s, 'L1')!.status).toBe('pending');
    expect(s.connection.channel?.status).toBe('offline');
    expect(s.lines.selectedId).toBe('L1');
    expect(s.conversation.focus).toEqual({ line_id: 'L1', key: 'M5' });
    off();
  });
});
