import { shellStrings, type ShellLanguage } from './strings';

/** Everything the tray, the badge and the taskbar overlay show, as a function of a few facts. */
export interface AttentionFacts {
  unreadTotal: number;
  /** Do-not-disturb end (epoch ms) from the core's settings, or null. */
  pausedUntil: number | null;
  connected: boolean;
  language: ShellLanguage;
  now: number;
  /** Formats a time of day in the user's locale (injected: tests pin it). */
  formatTime: (epochMs: number) => string;
}

export type TrayIconKind = 'idle' | 'unread' | 'paused' | 'offline';

export type TrayMenuId = 'open' | 'pause-1h' | 'pause-tomorrow' | 'resume' | 'quit';
export type TrayMenuItem = { kind: 'item'; id: TrayMenuId; label: string } | { kind: 'separator' };

export interface TrayModel {
  icon: TrayIconKind;
  tooltip: string;
  /** macOS dock, Linux Unity launcher (app.setBadgeCount). */
  badgeCount: number;
  /** Windows taskbar overlay: null clears it; `description` is read by screen readers. */
  overlay: { description: string } | null;
  menu: TrayMenuItem[];
}

/**
 * Unread wins over everything (a waiting customer is what staff must not miss), then a lost
 * connection (new messages cannot arrive), then paused notifications.
 */
export function trayModel(facts: AttentionFacts): TrayModel {
  const t = shellStrings(facts.language);
  const unread = Math.max(0, Math.trunc(facts.unreadTotal));
  const paused = facts.pausedUntil !== null && facts.pausedUntil > facts.now;
  const icon: TrayIconKind = unread > 0 ? 'unread' : !facts.connected ? 'offline' : paused ? 'paused' : 'idle';

  const lines = [t.appName, unread > 0 ? t.unread(unread) : t.noUnread];
  if (!facts.connected) lines.push(t.offline);
  if (paused) lines.push(t.pausedUntil(facts.formatTime(facts.pausedUntil!)));

  const pauseItems: TrayMenuItem[] = paused
    ? [{ kind: 'item', id: 'resume', label: t.resume }]
    : [
        { kind: 'item', id: 'pause-1h', label: t.pauseHour },
        { kind: 'item', id: 'pause-tomorrow', label: t.pauseTomorrow },
      ];

  return {
    icon,
    tooltip: lines.join('\n'),
    badgeCount: unread,
    overlay: unread > 0 ? { description: t.unread(unread) } : null,
    menu: [
      { kind: 'item', id: 'open', label: t.open },
      { kind: 'separator' },
      ...pauseItems,
      { kind: 'separator' },
      { kind: 'item', id: 'quit', label: t.quit },
    ],
  };
}

/** Hour of the next day at which "until tomorrow" ends: the start of a working morning. */
export const TOMORROW_RESUME_HOUR = 8;

/** Do-not-disturb end for a tray pause choice, in the machine's local time. */
export function pauseUntil(choice: 'pause-1h' | 'pause-tomorrow', now: number): number {
  if (choice === 'pause-1h') return now + 60 * 60 * 1000;
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(TOMORROW_RESUME_HOUR, 0, 0, 0);
  return d.getTime();
}
