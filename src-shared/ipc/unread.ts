import type { LineView } from './contract';

/**
 * Whether a line's unread messages count toward the badge (Inbox, tray, taskbar, dock): the lines
 * waiting on this user. For staff that is their own lines and the queue; a colleague's line keeps
 * its own count in the list, but nobody should carry a red badge all day for messages that are
 * someone else's to answer. A customer's lines are all theirs. Muted lines never count.
 */
export function countsTowardBadge(line: Pick<LineView, 'uid' | 'assignee' | 'muted'>, me: string | null): boolean {
  if (line.muted) return false;
  return line.uid === me || line.assignee === null || line.assignee === me;
}
