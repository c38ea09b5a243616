import type { LineRecord, WaitAnnouncement } from '../store/types';

/**
 * Long waits: how a customer waiting on a colleague's line reaches every staff member's list
 * without fanning every message out to all of them.
 *
 * Staff other than the assignee get no `message` events of an assigned line, so their snapshot of
 * it (`waiting_since`, `last_message_at`) is only as fresh as the last `line` event. Announcing
 * every turn of a conversation to all of them costs a fan-out per message; instead a wait reaches
 * them once it has gone unanswered for a while (the periodic announcement), and its end reaches them
 * only when they were shown the wait. `waiting_announced` on the line records exactly that: the
 * colleagues' latest snapshot shows a wait, so they must hear when it ends.
 */

/**
 * Who hears that a wait went long, or that an announced wait ended: every active staff member of
 * the merchant except the assignee, who gets the line's messages anyway (and so does the customer).
 */
export function waitAnnouncementRecipients(line: LineRecord, merchantStaff: readonly string[]): string[] {
  return [...new Set(merchantStaff)].filter((uid) => uid !== line.assignee).sort();
}

/**
 * After a `line` event that went to every staff member (created, assigned, transferred, status):
 * whether that snapshot showed colleagues a wait whose end they must hear. A queued line's messages
 * reach all staff anyway, and a resolved line's next change (it reopens) goes to all of them.
 */
export function showsWaitToColleagues(line: Pick<LineRecord, 'waiting_since' | 'assignee' | 'status'>): boolean {
  return line.waiting_since !== null && line.assignee !== null && line.status !== 'resolved';
}

/**
 * The flag after a send, given the line's new state (`line.waiting_announced` still the stored
 * value) and whether the send already sends every staff member a `line` event. `announceEnd`: the
 * send ended an announced wait, so colleagues get a `line` event too. A customer message never
 * fans out because of this: it only ever starts or continues a wait.
 */
export function waitFlagAfterSend(
  line: Pick<LineRecord, 'waiting_since' | 'assignee' | 'status' | 'waiting_announced'>,
  lineChanged: boolean,
): { waiting_announced: boolean; announceEnd: boolean } {
  if (lineChanged) return { waiting_announced: showsWaitToColleagues(line), announceEnd: false };
  if (line.waiting_announced && line.waiting_since === null) return { waiting_announced: false, announceEnd: true };
  return { waiting_announced: line.waiting_announced, announceEnd: false };
}

/** Refuse an announcement step that could not make progress or has no meaningful cutoff. */
export function checkWaitAnnouncement(input: WaitAnnouncement): void {
  if (!Number.isFinite(input.cutoff)) throw new RangeError(`cutoff must be a finite instant, got ${input.cutoff}`);
  if (!Number.isFinite(input.now)) throw new RangeError(`now must be a finite instant, got ${input.now}`);
  if (!Number.isInteger(input.limit) || input.limit < 1)
    throw new RangeError(`limit must be an integer ≥ 1, got ${input.limit}`);
}
