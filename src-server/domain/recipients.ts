import type { LineRecord } from '../store/types';

/**
 * Who gets an inbox event, decided in one place for every Store implementation.
 * Nobody on the merchant side may miss a waiting customer: while a line has no assignee its
 * messages go to every staff member of the merchant (that is the queue everyone can see).
 */

/** A message: the customer, the assignee (or all staff while queued), and the sender's own other devices. */
export function messageRecipients(line: LineRecord, merchantStaff: readonly string[], sender: string): string[] {
  const to = new Set<string>([line.uid, sender]);
  if (line.assignee !== null) to.add(line.assignee);
  else for (const uid of merchantStaff) to.add(uid);
  return [...to].sort();
}

/** A change to the line itself (created, assigned, transferred, status): the customer and all staff. */
export function lineRecipients(line: LineRecord, merchantStaff: readonly string[]): string[] {
  return [...new Set<string>([line.uid, ...merchantStaff])].sort();
}

/** A read receipt: both sides of the conversation and the reader's other devices. */
export function readRecipients(line: LineRecord, reader: string): string[] {
  const to = new Set<string>([line.uid, reader]);
  if (line.assignee !== null) to.add(line.assignee);
  return [...to].sort();
}

/**
 * A system notice about the line's staff side (assigned, transferred): the customer, the new
 * assignee, and whoever had the line before, so everyone concerned has it in their local history.
 */
export function noticeRecipients(line: LineRecord, previousAssignee: string | null): string[] {
  const to = new Set<string>([line.uid]);
  if (line.assignee !== null) to.add(line.assignee);
  if (previousAssignee !== null) to.add(previousAssignee);
  return [...to].sort();
}
