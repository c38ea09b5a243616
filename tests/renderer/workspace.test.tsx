// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { IpcError } from '../../src-shared/ipc';
import { DRAFT_SAVE_MS } from '../../src-renderer/app/listeners';
import { windowFocusChanged } from '../../src-renderer/features/workspace/workspaceSlice';
import { FakeApi } from './support/fakeApi';
import { makeLine, makeMessage, NOW, SIGNED_IN, SIGNED_OUT } from './support/fixtures';
import { stubObjectUrls } from './support/objectUrls';
import { emitChannelState, installLayout, mountApp } from './support/render';

beforeAll(() => installLayout());
afterEach(cleanup);

const rows = (container: HTMLElement) => Array.from(container.querySelectorAll<HTMLElement>('[data-line-id]'));

describe('sign-in', () => {
  it.each([
    ['BAD_CREDENTIALS', 'Wrong account or password.'],
    ['SERVER_UNREACHABLE', 'Cannot reach the server at this address. Check the address and your network.'],
    ['PROTOCOL_VERSION', 'This app and the server speak different protocol versions. Update the app.'],
  ])('explains %s', async (code, text) => {
    const api = new FakeApi(
      { session: SIGNED_OUT },
      {
        'session.signIn': () =>
          Promise.reject(new IpcError({ code, message: code, temporary: false, retry_after_ms: null })),
      },
    );
    const app = await mountApp(api);
    fireEvent.change(screen.getByLabelText('Account'), { target: { value: 'anna' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Sign in' }));
    await app.settle();
    expect(screen.getByRole('alert').textContent).toBe(text);
    expect(api.callsOf('session.signIn')).toEqual([
      { server_url: 'http://127.0.0.1:7001', account: 'anna', password: 'secret' },
    ]);
  });

  it('opens the workspace on success', async () => {
    const api = new FakeApi({ session: SIGNED_OUT, lines: [makeLine(1)] }, { 'session.signIn': () => SIGNED_IN });
    const app = await mountApp(api);
    fireEvent.change(screen.getByLabelText('Account'), { target: { value: 'anna' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Sign in' }));
    await app.settle();
    expect(rows(app.container)).toHaveLength(1);
  });
});

describe('conversation list', () => {
  it('renders 10,000 lines with only a screenful of rows in the DOM', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => makeLine(i));
    const app = await mountApp(new FakeApi({ lines }));
    const shown = rows(app.container);
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(30);
    expect(screen.getByText('10,000 conversations')).toBeTruthy();
  });

  it('shows customer, object, preview, unread, waiting time, assignee and status; a live message moves the line up', async () => {
    const lines = [
      makeLine(1),
      makeLine(2),
      makeLine(3, {
        customer_name: 'Zhang San',
        busi_type: 'consult',
        object: { object_id: 'h', kind: 'hotel', title: 'Lakeview Hotel', merchant_id: 'm1' },
      }),
    ];
    const app = await mountApp(new FakeApi({ lines }));
    expect(rows(app.container).map((r) => r.dataset.lineId)).toEqual(['L1', 'L2', 'L3']);
    const message = makeMessage('L3', { ts: NOW, content: { type: 'text', text: 'Is breakfast included?' } });
    // Bus events notify the UI once at the end of the task (auto-batched): let that task end.
    await act(async () => {
      app.api.emit('message.new', message);
      app.api.emit('line.updated', {
        ...lines[2]!,
        last_message: message,
        last_message_at: NOW,
        waiting_since: NOW - 12 * 60_000,
        unread: 1,
      });
      await Promise.resolve();
    });
    const top = rows(app.container)[0]!;
    expect(top.dataset.lineId).toBe('L3');
    const text = top.textContent;
    for (const part of [
      'Zhang San',
      'Consultation',
      'Hotel · Lakeview Hotel',
      'Is breakfast included?',
      'Waiting 12m',
      'Wang Wei',
      'Open',
      '10:00',
    ])
      expect(text).toContain(part);
    expect(within(top).getByLabelText('1 unread').textContent).toBe('1');
  });

  it('shows unread on a colleague’s line in a quiet badge, left out of the Inbox count', async () => {
    // Even lines are mine, odd ones a colleague's (fixtures).
    const lines = [makeLine(2, { unread: 2 }), makeLine(3, { unread: 4 })];
    const app = await mountApp(new FakeApi({ lines }));
    const badgeOf = (id: string) =>
      within(rows(app.container).find((r) => r.dataset.lineId === id)!).getByLabelText(/unread/);
    expect(badgeOf('L2').className).toBe('unread-badge');
    expect(badgeOf('L3').className).toBe('unread-badge quiet');
    expect(badgeOf('L3').textContent).toBe('4');
    expect(within(screen.getByRole('navigation')).getByText('2')).toBeTruthy();
  });

  it('filters by busi_type, status and "assigned to me"', async () => {
    const lines = [makeLine(1), makeLine(2), makeLine(3), makeLine(4, { status: 'resolved' })];
    const app = await mountApp(new FakeApi({ lines }));
    fireEvent.change(screen.getByLabelText('All types'), { target: { value: 'private' } });
    expect(rows(app.container).map((r) => r.dataset.lineId)).toEqual(['L1', 'L4']);
    fireEvent.change(screen.getByLabelText('Any status'), { target: { value: 'resolved' } });
    expect(rows(app.container).map((r) => r.dataset.lineId)).toEqual(['L4']);
    fireEvent.change(screen.getByLabelText('Any status'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText('Assigned to me'));
    expect(rows(app.container).map((r) => r.dataset.lineId)).toEqual(['L4']);
  });
});

const ROOM_PNG = `/v1/media/${'c'.repeat(64)}.png`;

describe('conversation view', () => {
  async function openLine(
    history: ReturnType<typeof makeMessage>[],
    extra: ConstructorParameters<typeof FakeApi>[0] = {},
  ) {
    const app = await mountApp(
      new FakeApi({ lines: [makeLine(1, { customer_name: 'Ann' })], history: { L1: history }, ...extra }),
    );
    fireEvent.click(rows(app.container)[0]!);
    await app.settle();
    return app;
  }

  it('opens conversations without React key clashes between the history and the composer', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onTestFinished(() => {
      errors.mockRestore();
    });
    const app = await openLine([makeMessage('L1', { content: { type: 'text', text: 'hi' } })]);
    expect(screen.getByRole('log').textContent).toContain('hi');
    expect(app.container.querySelector('textarea')).not.toBeNull();
    expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('same key'))).toEqual([]);
  });

  it('shows bubbles per content type, day separators and the header', async () => {
    stubObjectUrls();
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    const yesterday = NOW - 86_400_000;
    const app = await openLine([
      makeMessage('L1', { ts: yesterday, content: { type: 'text', text: 'Hello' } }),
      makeMessage('L1', {
        ts: NOW - 1000,
        content: {
          type: 'card',
          card_kind: 'tour',
          object_id: 't1',
          title: 'West Lake day tour',
          price: { amount: 299, currency: 'CNY' },
        },
      }),
      makeMessage('L1', {
        ts: NOW - 900,
        content: { type: 'image', url: ROOM_PNG, width: 400, height: 300, mime: 'image/png' },
      }),
      makeMessage('L1', {
        ts: NOW - 800,
        content: { type: 'image', url: 'https://elsewhere.example/x.png', width: 4, height: 3, mime: 'image/png' },
      }),
      makeMessage('L1', {
        ts: NOW - 700,
        content: {
          type: 'system',
          code: 'line.transferred',
          text: 'x',
          params: { staff_uid: 's1', staff_name: 'Li Na' },
        },
      }),
    ]);
    const log = screen.getByRole('log');
    expect(
      within(log)
        .getAllByRole('separator')
        .map((s) => s.textContent),
    ).toEqual(['Yesterday', 'Today']);
    expect(log.textContent).toContain('West Lake day tour');
    expect(log.textContent).toContain('CN¥299.00');
    expect(log.querySelector<HTMLImageElement>('img.bubble-image')!.src).toMatch(/^blob:/);
    expect(app.api.callsOf('media.get')).toEqual([{ url: ROOM_PNG, variant: 'thumb' }]);
    expect(log.querySelectorAll('img.bubble-image')).toHaveLength(1);
    expect(log.textContent).toContain('Image from an unknown source was not loaded');
    expect(log.textContent).toContain('This conversation was transferred to Li Na');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Ann');
  });

  it('renders message text as text, never HTML, and opens links through the core', async () => {
    const app = await openLine([
      makeMessage('L1', {
        content: { type: 'text', text: '<img src=x onerror="alert(1)"> see https://example.com/p' },
      }),
    ]);
    const log = screen.getByRole('log');
    expect(log.querySelector('img')).toBeNull();
    expect(log.textContent).toContain('<img src=x onerror="alert(1)">');
    fireEvent.click(within(log).getByRole('link'));
    await app.settle();
    expect(app.api.callsOf('link.open')).toEqual([{ url: 'https://example.com/p' }]);
  });

  it('Enter sends, Shift+Enter does not; the message shows as sending, then sent when the core says so', async () => {
    const app = await openLine([]);
    const box = screen.getByLabelText(/Type a reply/);
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(app.api.callsOf('message.send')).toEqual([]);
    fireEvent.keyDown(box, { key: 'Enter' });
    await app.settle();
    expect(app.api.callsOf('message.send')).toEqual([{ line_id: 'L1', content: { type: 'text', text: 'line one' } }]);
    expect((box as HTMLTextAreaElement).value).toBe('');
    const sending = screen.getByRole('log').querySelector('[data-state]')!;
    expect(sending.getAttribute('data-state')).toBe('sending');
    const echo =
      app.store.getState().conversation.messages.entities[app.store.getState().conversation.history.L1!.keys[0]!]!;
    await act(async () => {
      app.api.emit('message.updated', { ...echo, message_id: 'M77', key: 'M77', state: 'read' });
      await Promise.resolve();
    });
    const states = Array.from(screen.getByRole('log').querySelectorAll('[data-state]')).map((e) =>
      e.getAttribute('data-state'),
    );
    expect(states).toEqual(['read']);
  });

  it('offers retry on a failed message', async () => {
    const failed = makeMessage('L1', {
      message_id: null,
      random_id: 'lx9-aaaaaaaaaaaaaaaa',
      key: 'local:lx9-aaaaaaaaaaaaaaaa',
      sender_role: 'staff',
      state: 'failed',
      error: { code: 'MESSAGE_TOO_LONG', message: 'too long', temporary: false, retry_after_ms: null },
    });
    const app = await openLine([failed]);
    expect(screen.getByRole('log').textContent).toContain('too long');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(app.api.callsOf('message.retry')).toEqual([{ random_id: 'lx9-aaaaaaaaaaaaaaaa' }]);
    expect(screen.getByRole('log').querySelector('[data-state]')!.getAttribute('data-state')).toBe('sending');
  });

  /** Opens L1 with history.load failing as if the server were out of reach until `serve()` is called. */
  async function openUnreachableLine() {
    let reachable = false;
    const history = [makeMessage('L1', { content: { type: 'text', text: 'Do you have parking?' } })];
    const unreachable = new IpcError({ code: 'NETWORK', message: 'offline', temporary: true, retry_after_ms: null });
    const app = await mountApp(
      new FakeApi(
        { lines: [makeLine(1, { customer_name: 'Ann' })] },
        { 'history.load': () => (reachable ? { messages: history, more: false } : Promise.reject(unreachable)) },
      ),
    );
    fireEvent.click(rows(app.container)[0]!);
    await app.settle();
    expect(screen.getByRole('status').textContent).toContain('Could not load messages.');
    return {
      app,
      serve: () => {
        reachable = true;
      },
    };
  }

  it('offers Retry when history cannot be loaded, and shows it once it can', async () => {
    const { app, serve } = await openUnreachableLine();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(screen.getByRole('status').textContent).toContain('Could not load messages.');
    serve();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(screen.getByRole('log').textContent).toContain('Do you have parking?');
    expect(screen.queryByRole('status')).toBeNull();
    expect(app.api.callsOf('history.load')).toHaveLength(3);
  });

  it('loads history that failed by itself once the connection is back', async () => {
    const { app, serve } = await openUnreachableLine();
    emitChannelState(app, 'offline', NOW + 1);
    serve();
    emitChannelState(app, 'online', NOW + 2);
    await app.settle();
    expect(screen.getByRole('log').textContent).toContain('Do you have parking?');
    expect(app.api.callsOf('history.load')).toHaveLength(2);
  });

  it('keeps unsent text in the core once typing pauses, and shows it again after a restart', async () => {
    const app = await openLine([], { drafts: { L1: 'We have a twin ro' } });
    const box = screen.getByLabelText<HTMLTextAreaElement>(/Type a reply/);
    expect(box.value).toBe('We have a twin ro');
    for (const text of ['We have a twin roo', 'We have a twin room', 'We have a twin room free'])
      fireEvent.change(box, { target: { value: text } });
    await act(() => new Promise((resolve) => setTimeout(resolve, DRAFT_SAVE_MS + 200)));
    // One write for the pause, not one per keystroke, and none for the draft as it was loaded.
    expect(app.api.callsOf('draft.set')).toEqual([{ line_id: 'L1', text: 'We have a twin room free' }]);
    fireEvent.keyDown(box, { key: 'Enter' });
    await app.settle();
    await act(() => new Promise((resolve) => setTimeout(resolve, DRAFT_SAVE_MS + 200)));
    expect(app.api.callsOf('draft.set').at(-1)).toEqual({ line_id: 'L1', text: '' });
    expect(app.api.state.drafts).toEqual({});
  });

  it('inserts a quick reply with its placeholders filled', async () => {
    const app = await openLine([], {
      quickReplies: [
        { id: 'q1', title: 'Greeting', text: 'Hello {customer_name}, this is {staff_name} about {object_title}.' },
      ],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Quick replies' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Greeting/ }));
    await app.settle();
    expect(screen.getByLabelText<HTMLTextAreaElement>(/Type a reply/).value).toBe(
      'Hello Ann, this is Li Na about Object 1.',
    );
  });

  it('shows the typing indicator', async () => {
    const app = await openLine([]);
    act(() => app.api.emit('typing', { line_id: 'L1', uid: 'c1', display_name: 'Ann' }));
    expect(screen.getByText('Ann is typing…')).toBeTruthy();
  });

  it('transfers to a colleague, sets status and mutes', async () => {
    const staff = [
      { uid: 's1', display_name: 'Li Na', online: true, open_lines: 3, capacity: 10 },
      { uid: 's3', display_name: 'Chen Jie', online: true, open_lines: 1, capacity: 10 },
    ];
    const app = await openLine([], { staff });
    fireEvent.click(screen.getByRole('button', { name: 'Transfer' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Chen Jie/ }));
    await app.settle();
    expect(app.api.callsOf('line.transfer')).toEqual([{ line_id: 'L1', to: 's3' }]);
    expect(screen.getByRole('banner').textContent).toContain('Chen Jie');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'resolved' } });
    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await app.settle();
    expect(app.api.callsOf('line.setStatus')).toEqual([{ line_id: 'L1', status: 'resolved' }]);
    expect(screen.getByRole('button', { name: 'Unmute' })).toBeTruthy();
  });

  it('opens a search hit in its conversation, paging back to reach it', async () => {
    const history = Array.from({ length: 130 }, (_, i) =>
      makeMessage('L1', {
        ts: NOW - 200_000 + i,
        content: { type: 'text', text: i === 3 ? 'needle in the hay' : `hay ${i}` },
      }),
    );
    const app = await mountApp(new FakeApi({ lines: [makeLine(1)], history: { L1: history } }));
    const search = screen.getByLabelText('Search messages');
    fireEvent.change(search, { target: { value: 'needle' } });
    fireEvent.submit(search);
    await app.settle();
    fireEvent.click(screen.getByRole('button', { name: /needle in the hay/ }));
    await app.settle();
    expect(app.api.callsOf('history.load')).toHaveLength(3);
    expect(screen.getByRole('log').querySelector('.highlighted')?.textContent).toContain('needle in the hay');
  });
});

describe('workspace', () => {
  it('moves between conversations with the keyboard and shows the help overlay', async () => {
    const app = await mountApp(new FakeApi({ lines: [makeLine(1), makeLine(2), makeLine(3, { unread: 2 })] }));
    act(() => {
      app.store.dispatch(windowFocusChanged({ focused: false, visible: false }));
    });
    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true });
    expect(app.store.getState().lines.selectedId).toBe('L1');
    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true, shiftKey: true });
    expect(app.store.getState().lines.selectedId).toBe('L3');
    fireEvent.keyDown(window, { key: 'ArrowUp', altKey: true });
    expect(app.store.getState().lines.selectedId).toBe('L2');
    fireEvent.keyDown(window, { key: '?', shiftKey: true });
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog.textContent).toContain('Next unread conversation');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the connection banner from channel.state', async () => {
    const app = await mountApp(new FakeApi({ lines: [makeLine(1)] }));
    emitChannelState(app, 'offline', NOW + 1);
    expect(screen.getByRole('status').textContent).toMatch(/You are offline/);
    emitChannelState(app, 'online', NOW + 2, { transport: 'poll' });
    expect(screen.getByRole('status').textContent).toMatch(/long-polling/);
    emitChannelState(app, 'online', NOW + 3);
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('switches to Simplified Chinese at run time from the settings page', async () => {
    const app = await mountApp(new FakeApi({ lines: [makeLine(1)] }));
    fireEvent.click(screen.getByRole('button', { name: /Settings/ }));
    await app.settle();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Settings');
    fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), { target: { value: 'zh-CN' } });
    await app.settle();
    expect(app.api.callsOf('settings.set')).toEqual([{ language: 'zh-CN' }]);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('设置');
    expect(screen.getByText('诊断信息', { exact: false })).toBeTruthy();
  });
});
