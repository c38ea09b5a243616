import type { Content } from '../../src-shared/protocol';
import type { LineRecord } from '../store/types';

/**
 * System notices the server writes into a line when its staff side changes, so both sides see it in
 * history. `code` is stable for clients to translate; `text` is the English fallback; `params`
 * carry the names a translation needs. The notice's `sender` is the staff member it is about.
 */
export type NoticeContent = Extract<Content, { type: 'system' }>;

export interface StaffRef {
  uid: string;
  name: string;
}

/** The assignment policy gave the line to someone (a new, queued or reopened line). */
export function assignedNotice(to: StaffRef): NoticeContent {
  return {
    type: 'system',
    code: 'line.assigned',
    text: `${to.name} is now looking after this conversation`,
    params: { staff_uid: to.uid, staff_name: to.name },
  };
}

/** A staff member handed the line to a colleague. */
export function transferredNotice(to: StaffRef, from: StaffRef | null): NoticeContent {
  return {
    type: 'system',
    code: 'line.transferred',
    text: from
      ? `${from.name} transferred this conversation to ${to.name}`
      : `This conversation was transferred to ${to.name}`,
    params: {
      staff_uid: to.uid,
      staff_name: to.name,
      ...(from ? { from_staff_uid: from.uid, from_staff_name: from.name } : {}),
    },
  };
}

/** The staff member a just-assigned line now belongs to. */
export function assigneeOf(line: LineRecord): StaffRef {
  if (line.assignee === null) throw new Error(`line ${line.line_id} has no assignee`);
  return { uid: line.assignee, name: line.assignee_name ?? '' };
}

/** Who had the line before a change, for the notice's wording. */
export function previousStaff(before: LineRecord): StaffRef | null {
  return before.assignee === null ? null : { uid: before.assignee, name: before.assignee_name ?? '' };
}
