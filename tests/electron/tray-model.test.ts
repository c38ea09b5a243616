import { describe, expect, it } from 'vitest';
import { pauseUntil, trayModel, type AttentionFacts } from '../../src-main/shell/tray-model';

const NOW = Date.UTC(2025, 5, 1, 10, 0, 0);
const facts = (over: Partial<AttentionFacts> = {}): AttentionFacts => ({
  unreadTotal: 0,
  pausedUntil: null,
  connected: true,
  language: 'en',
  now: NOW,
  formatTime: (ms) => new Date(ms).toISOString().slice(11, 16),
  ...over,
});

describe('tray and badge follow unread counts', () => {
  it('shows the idle icon and clears badge and overlay with nothing unread', () => {
    const m = trayModel(facts());
    expect(m.icon).toBe('idle');
    expect(m.badgeCount).toBe(0);
    expect(m.overlay).toBeNull();
    expect(m.tooltip).toBe('Merchant IM\nNo unread messages');
  });

  it('switches icon, badge and overlay as the unread total moves', () => {
    const seen = [0, 1, 5, 120, 0].map((n) => trayModel(facts({ unreadTotal: n })));
    expect(seen.map((m) => m.icon)).toEqual(['idle', 'unread', 'unread', 'unread', 'idle']);
    expect(seen.map((m) => m.badgeCount)).toEqual([0, 1, 5, 120, 0]);
    expect(seen.map((m) => m.overlay?.description ?? null)).toEqual([
      null,
      '1 unread message',
      '5 unread messages',
      '120 unread messages',
      null,
    ]);
  });

  it('never shows a negative or fractional badge', () => {
    expect(trayModel(facts({ unreadTotal: -3 })).badgeCount).toBe(0);
    expect(trayModel(facts({ unreadTotal: 2.7 })).badgeCount).toBe(2);
  });

  it('puts unread first, then a lost connection, then a pause', () => {
    const paused = NOW + 3_600_000;
    expect(trayModel(facts({ unreadTotal: 2, connected: false, pausedUntil: paused })).icon).toBe('unread');
    expect(trayModel(facts({ connected: false, pausedUntil: paused })).icon).toBe('offline');
    const m = trayModel(facts({ pausedUntil: paused }));
    expect(m.icon).toBe('paused');
    expect(m.tooltip).toContain('Notifications paused until 11:00');
    expect(trayModel(facts({ pausedUntil: NOW - 1 })).icon).toBe('idle');
  });

  it('offers pause choices, or resume while paused, between open and quit', () => {
    const ids = (m: ReturnType<typeof trayModel>) => m.menu.map((i) => (i.kind === 'item' ? i.id : '-'));
    expect(ids(trayModel(facts()))).toEqual(['open', '-', 'pause-1h', 'pause-tomorrow', '-', 'quit']);
    expect(ids(trayModel(facts({ pausedUntil: NOW + 1000 })))).toEqual(['open', '-', 'resume', '-', 'quit']);
  });

  it('speaks the user language', () => {
    const m = trayModel(facts({ language: 'zh-CN', unreadTotal: 3 }));
    expect(m.tooltip).toBe('商家IM\n3 条未读消息');
    expect(m.menu[0]).toEqual({ kind: 'item', id: 'open', label: '打开商家IM' });
  });
});

describe('pause choices', () => {
  it('pauses for one hour', () => {
    expect(pauseUntil('pause-1h', NOW)).toBe(NOW + 3_600_000);
  });

  it('pauses until 08:00 local time the next day, also just before midnight', () => {
    const late = new Date(2025, 0, 31, 23, 59).getTime();
    expect(pauseUntil('pause-tomorrow', late)).toBe(new Date(2025, 1, 1, 8, 0).getTime());
    const early = new Date(2025, 11, 31, 0, 30).getTime();
    expect(pauseUntil('pause-tomorrow', early)).toBe(new Date(2026, 0, 1, 8, 0).getTime());
  });
});
