import type { Line, Role } from '../../src-shared/protocol';
import type { LineRecord } from '../store/types';

/** The wire form of a line for one viewer: `peer_read_message_id` is the *other* side's pointer. */
export function renderLine(line: LineRecord, viewer: Role): Line {
  return {
    line_id: line.line_id,
    uid: line.uid,
    customer_name: line.customer_name,
    object: line.object,
    busi_type: line.busi_type,
    status: line.status,
    assignee: line.assignee,
    assignee_name: line.assignee_name,
    created_at: line.created_at,
    last_message_at: line.last_message_at,
    waiting_since: line.waiting_since,
    peer_read_message_id: viewer === 'customer' ? line.staff_read_message_id : line.customer_read_message_id,
  };
}

/** Lines that count against a staff member's capacity. */
export const OPEN_STATUSES = ['open', 'pending'] as const;
