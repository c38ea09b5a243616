import type { WindowSnapshot } from '../ports/window-state';
import { isForeground } from '../ports/window-state';

export type AttentionRequest = 'none' | 'flash-frame' | 'bounce-dock';

export interface AttentionInput {
  senderRole: 'customer' | 'staff';
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
  return input.platform === 'darwin' ? 'bounce-dock' : 'flash-frame';
}
