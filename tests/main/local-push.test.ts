import { describe, expect, it } from 'vitest';
import type { LocalMessage } from '../../src-shared/ipc';
import { decideNotify, type NotifyInput } from '../../src-main/push/notify-policy';
import { previewOf } from '../../src-main/push/local-push';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { liveFixtures, type CoreHandle, type World } from './live-helpers';

const NOW = 1_700_000_000_000;
const msg = (patch: Partial<LocalMessage> = {}): LocalMessage => ({
  message_id: '5',
  line_id: 'L1',
  sender: 'cust',
  sender_role: 'customer',
  random_id: null,
  content: { type: 'text', text: 'hi' },
  ts: NOW - 1000,
  key: '5',
  state: 'sent',
  error: null,
  ...patch,
});
const base: NotifyInput = {
  message: msg(),
  me: 'staff',
  window: { focused: false, minimised: false, visible: true },
  openLineId: null,
  muted: false,
  notificationsEnabled: true,
  dndUntil: null,
  now: NOW,
  freshForMs: 60_000,
  shownCount: 0,
};

describe('local push policy (seed 3.2)', () => {
  it.each([
    ['unfocused', { window: { focused: false, minimised: false, visible: true } }],
    ['minimised', { window: { focused: true, minimised: true, visible: true }, openLineId: 'L1' }],
    ['hidden in the tray', { window: { focused: true, minimised: false, visible: false }, openLineId: 'L1' }],
    ['focused on another line', { window: { focused: true, minimised: false, visible: true }, openLineId: 'L2' }],
  ] as const)('notifies when %s', (_name, patch) => {
    expect(decideNotify({ ...base, ...patch })).toEqual({ notify: true, count: 1, replace: false });
  });

  it.each([
    [
      'focused with that line open',
      { window: { focused: true, minimised: false, visible: true }, openLineId: 'L1' },
      'line_open',
    ],
    ['muted line', { muted: true }, 'muted'],
    ['do not disturb', { dndUntil: NOW + 1 }, 'dnd'],
    ['notifications off', { notificationsEnabled: false }, 'disabled'],
    ['own message', { message: msg({ sender: 'staff' }) }, 'own_message'],
    [
      'system notice',
      { message: msg({ content: { type: 'system', code: 'line.assigned', text: 'assigned' } }) },
      'system',
    ],
    ['old message from a catch-up', { message: msg({ ts: NOW - 120_000 }) }, 'stale'],
  ] as const)('stays quiet for a %s', (_name, patch, reason) => {
    expect(decideNotify({ ...base, ...patch })).toEqual({ notify: false, reason });
  });

  it('an expired do-not-disturb no longer silences', () => {
    expect(decideNotify({ ...base, dndUntil: NOW - 1 }).notify).toBe(true);
  });

  it('coalesces a burst: the live notification is updated with the count', () => {
    expect(decideNotify({ ...base, shownCount: 3 })).toEqual({ notify: true, count: 4, replace: true });
  });
});

describe('notification preview', () => {
  it('says images, cards and system notices in the UI language, cut at the configured length', () => {
    const image = { type: 'image', url: '/v1/media/x.png', mime: 'image/png', width: 1, height: 1 } as const;
    const card = { type: 'card', card_kind: 'room', object_id: 'r1', title: 'Lake View King' } as const;
    const moved = {
      type: 'system',
      code: 'line.transferred',
      text: 'server words',
      params: { staff_name: '王波', from_staff_name: '李娜' },
    } as const;
    expect([image, card, moved].map((c) => previewOf(c, 120, 'zh-CN'))).toEqual([
      '[图片]',
      '[房型] Lake View King',
      '李娜 将会话转给了 王波',
    ]);
    expect([image, card, moved].map((c) => previewOf(c, 120, 'en'))).toEqual([
      '[Image]',
      '[Room] Lake View King',
      '李娜 transferred this conversation to 王波',
    ]);
    // A code this build does not know, or a notice missing a name: the server's own words.
    expect(previewOf({ ...moved, code: 'line.reopened' }, 120, 'zh-CN')).toBe('server words');
    expect(previewOf({ ...moved, params: {} }, 120, 'en')).toBe('server words');
    expect(previewOf({ type: 'text', text: '你好'.repeat(100) }, 10, 'zh-CN')).toBe('你好你好你好你好你…');
  });
});

describe('local push in the running core', () => {
  const live = liveFixtures();

  async function setup(): Promise<{ w: World; h: CoreHandle; lineId: string }> {
    const w = await live.world();
    const h = live.core(null);
    const { line_id } = await w.customerSays('first');
    await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await waitFor(() => h.core.runtime?.channel.state().status === 'online', 5_000, 'online');
    // The first message arrived with the resume (fresh, so it was notified); read it to start clean.
    await waitFor(() => h.core.runtime!.store.line(line_id), 5_000, 'first message');
    await h.core.invoke('line.markRead', { line_id });
    expect(h.ports.notifier.visible()).toEqual([]);
    h.ports.notifier.records.length = 0;
    return { w, h, lineId: line_id };
  }

  it('one notification per line for a burst while in the background; click opens the line', async () => {
    const { w, h, lineId } = await setup();
    await h.core.invoke('window.focus', { focused: false, visible: false });
    const opened: string[] = [];
    h.core.subscribe('ui.openLine', (o) => void opened.push(o.line_id));
    for (let i = 0; i < 5; i++) await w.customerSays(`burst ${i}`);
    await waitFor(() => h.ports.notifier.visible()[0]?.count === 5, 5_000, 'five coalesced');
    expect(h.ports.notifier.visible()).toHaveLength(1);
    expect(h.ports.notifier.visible()[0]).toMatchObject({
      tag: lineId,
      title: expect.stringContaining('Emma') as string,
      body: '(5) burst 4',
    });
    h.ports.notifier.click(lineId);
    await waitFor(() => opened.length === 1, 2_000, 'ui.openLine');
    expect(opened).toEqual([lineId]);
  });

  it('no notification for the open line in the foreground, nor for a muted line or during DND; reading withdraws it', async () => {
    const { w, h, lineId } = await setup();
    await h.core.invoke('window.focus', { focused: true, visible: true });
    await h.core.invoke('need.push', { need: { view: 'line', line_id: lineId } });
    const seen: string[] = [];
    h.core.subscribe('message.new', (m) => void seen.push(m.key));
    await w.customerSays('while looking');
    await waitFor(() => seen.length === 1, 5_000, 'message');
    // Seen in the open line: read at once, unread stays 0.
    await waitFor(() => h.core.runtime!.store.line(lineId)!.unread === 0, 2_000, 'auto read');
    await h.core.invoke('need.pop', {});
    await h.core.invoke('line.mute', { line_id: lineId, muted: true });
    await h.core.invoke('window.focus', { focused: false, visible: true });
    await w.customerSays('muted');
    await h.core.invoke('line.mute', { line_id: lineId, muted: false });
    await h.core.invoke('settings.set', {
      notifications: { enabled: true, sound: false, dnd_until: Date.now() + 60_000 },
    });
    await w.customerSays('dnd');
    await waitFor(() => seen.length === 3, 5_000, 'messages');
    expect(h.ports.notifier.records.filter((r) => r.kind === 'show')).toEqual([]);
    await h.core.invoke('settings.set', { notifications: { enabled: true, sound: false, dnd_until: null } });
    await w.customerSays('now it shows');
    await waitFor(() => h.ports.notifier.visible().length === 1, 5_000, 'shown');
    await h.core.invoke('line.markRead', { line_id: lineId });
    expect(h.ports.notifier.visible()).toEqual([]);
    expect((await h.core.invoke('diagnostics.get', {})).notifications.supported).toBe(true);
  });

  it('reports focus and the request stack top to the server', async () => {
    const { w, h, lineId } = await setup();
    const device = async () => (await w.t.server.presence.channels(w.staff.uid))[0];
    await h.core.invoke('window.focus', { focused: false, visible: true });
    await waitFor(async () => (await device())?.focused === false, 3_000, 'background reported');
    await h.core.invoke('window.focus', { focused: true, visible: true });
    await waitFor(async () => (await device())?.focused === true, 3_000, 'foreground reported');
    await h.core.invoke('need.push', { need: { view: 'line', line_id: lineId } });
    await waitFor(async () => (await device())?.need?.line_id === lineId, 3_000, 'need reported');
    await h.core.invoke('need.pop', {});
    await h.core.invoke('need.push', { need: { view: 'list', busi_type: 'consult' } });
    await waitFor(async () => (await device())?.need?.view === 'list', 3_000, 'need replaced');
  });
});
