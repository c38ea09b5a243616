import type { LocalMessage } from '../../src-shared/ipc';
import type { WindowSnapshot } from '../ports/window-state';

/**
 * Local push (seed 3.2) as a pure decision: should this incoming message raise an OS
 * notification, and if so a new one or an update of the line's live one (bursts coalesce per line)?
 */
export interface NotifyInput {
  message: LocalMessage;
  me: string;
  window: WindowSnapshot;
  /** The line the user has open (top of the request stack), if any. */
  openLineId: string | null;
  muted: boolean;
  notificationsEnabled: boolean;
  /** Do-not-disturb until this time (epoch ms), or null. */
  dndUntil: number | null;
  now: number;
  /** Messages older than this on arrival (catch-up after a long absence) stay quiet. */
  freshForMs: number;
  /** How many messages the line's live notification already stands for (0 = none on screen). */
  shownCount: number;
}

export type NotifyDecision =
  | { notify: false; reason: 'own_message' | 'disabled' | 'dnd' | 'muted' | 'line_open' | 'stale' | 'system' }
  | { notify: true; count: number; replace: boolean };

export function decideNotify(i: NotifyInput): NotifyDecision {
  if (i.message.sender === i.me) return { notify: false, reason: 'own_message' };
  if (i.message.content.type === 'system') return { notify: false, reason: 'system' };
  if (!i.notificationsEnabled) return { notify: false, reason: 'disabled' };
  if (i.dndUntil !== null && i.dndUntil > i.now) return { notify: false, reason: 'dnd' };
  if (i.muted) return { notify: false, reason: 'muted' };
  const foreground = i.window.focused && i.window.visible && !i.window.minimised;
  if (foreground && i.openLineId === i.message.line_id) return { notify: false, reason: 'line_open' };
  if (i.now - i.message.ts > i.freshForMs) return { notify: false, reason: 'stale' };
  return { notify: true, count: i.shownCount + 1, replace: i.shownCount > 0 };
}
