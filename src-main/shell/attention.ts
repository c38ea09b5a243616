import type { WindowSnapshot } from '../ports/window-state';
import { isForeground } from '../ports/window-state';

/** Same freshness window as the core's notifications (NotifyConfig.freshForMs default). */
export const ATTENTION_FRESH_MS = 5 * 60_000;

export type AttentionRequest = 'none' | 'flash-frame' | 'bounce-dock';

export interface AttentionInput {
  senderRole: 'customer' | 'staff';
  /** Server time of the message: a catch-up burst of old messages after a reconnect is not news. */
  messageTs: number;
  window: WindowSnapshot;
  /** Settings.flash_on_message. */
  enabled: boolean;
  pausedUntil: number | null;
  now: number;
  platform: NodeJS.Platform;
}

/**
 * Whether a new message should make the taskbar button flash (Windows, Linux) or the dock icon
 * bounce once (macOS): only a customer's message, only while the window is not in the foreground,
 * and not while the user asked not to be disturbed.
 */
export function attentionFor(input: AttentionInput): AttentionRequest {
  if (!input.enabled || input.senderRole !== 'customer' || isForeground(input.window)) return 'none';
  if (input.pausedUntil !== null && input.pausedUntil > input.now) return 'none';
  if (input.now - input.messageTs > ATTENTION_FRESH_MS) return 'none';
  return input.platform === 'darwin' ? 'bounce-dock' : 'flash-frame';
}
