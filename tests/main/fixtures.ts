import type { InboxEvent, Line, Message } from '../../src-shared/protocol';
import { makeRandomId } from '../../src-shared/protocol';
import { seededRandom } from '../../src-main/ports/random';

export const ME = 's1';
export const CUSTOMER = 'c1';

export function line(id: string, patch: Partial<Line> = {}): Line {
  return {
    line_id: id,
    uid: CUSTOMER,
    customer_name: 'Ann',
    object: { object_id: `o-${id}`, kind: 'hotel', title: 'Lakeside Hotel', merchant_id: 'm1' },
    busi_type: 'consult',
    status: 'open',
    assignee: ME,
    assignee_name: 'Sam',
    created_at: 1_000,
    last_message_at: null,
    waiting_since: null,
    peer_read_message_id: null,
    ...patch,
  };
}

const rnd = seededRandom(9);
export function message(id: number, lineId: string, patch: Partial<Message> = {}): Message {
  return {
    message_id: String(id),
    line_id: lineId,
    sender: CUSTOMER,
    sender_role: 'customer',
    random_id: makeRandomId(1_000 + id, rnd),
    content: { type: 'text', text: `message ${id}` },
    ts: 1_000 + id,
    ...patch,
  };
}

export function messageEvent(seq: number, m: Message, l: Line = line(m.line_id)): InboxEvent {
  return { kind: 'message', seq, message: m, line: { ...l, last_message_at: m.ts } };
}
