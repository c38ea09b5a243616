import type { IpcErrorShape, LineView, LocalMessage } from '../../src-shared/ipc';
import type { Content, Line, Message, RequestBody, Role } from '../../src-shared/protocol';

/** Content a client may send (no system notices). */
export type OutgoingContent = RequestBody<'send'>['content'];

/** Sort position of a message not yet known to the server: after every server message. */
export const LOCAL_ORD = Number.MAX_SAFE_INTEGER;

/**
 * The protocol's message ids increase with insertion order within a line and compare
 * numerically, so the id itself is the order key.
 */
export function ordOf(messageId: string): number {
  const n = Number(messageId);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`message id ${messageId} is not a non-negative integer`);
  return n;
}

export interface MessageRow {
  id: number;
  message_id: string | null;
  ord: number;
  line_id: string;
  sender: string;
  sender_role: string;
  random_id: string | null;
  content: string;
  ts: number;
  state: 'sending' | 'sent' | 'failed';
  error: string | null;
  /** Joined from lines: the other side's read pointer. */
  peer_read_ord: number | null;
}

export interface LineRow {
  line_id: string;
  data: string;
  unread: number;
  muted: number;
  last_id: number | null;
}

export const MESSAGE_COLUMNS = `m.id, m.message_id, m.ord, m.line_id, m.sender, m.sender_role, m.random_id, m.content, m.ts,
  m.state, m.error, l.peer_read_ord`;

export function toLocalMessage(row: MessageRow, me: string): LocalMessage {
  const read = row.sender === me && row.state === 'sent' && row.peer_read_ord !== null && row.ord <= row.peer_read_ord;
  return {
    message_id: row.message_id,
    line_id: row.line_id,
    sender: row.sender,
    sender_role: row.sender_role as Role,
    random_id: row.random_id,
    content: JSON.parse(row.content) as Content,
    ts: row.ts,
    key: messageKey(row.message_id, row.random_id),
    state: read ? 'read' : row.state,
    error: row.error === null ? null : (JSON.parse(row.error) as IpcErrorShape),
  };
}

export function messageKey(messageId: string | null, randomId: string | null): string {
  return messageId ?? `local:${randomId ?? ''}`;
}

export function toLineView(row: LineRow, last: LocalMessage | null): LineView {
  return { ...(JSON.parse(row.data) as Line), unread: row.unread, muted: row.muted === 1, last_message: last };
}

/** The text full-text search sees for a message. */
export function searchTextOf(content: Content): string {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'card':
      return [content.title, content.subtitle, content.order_state].filter(Boolean).join(' ');
    case 'system':
      return content.text;
    case 'image':
      return '';
  }
}

export function messageParams(m: Message, state: 'sent' | 'sending') {
  return {
    message_id: m.message_id,
    ord: ordOf(m.message_id),
    line_id: m.line_id,
    sender: m.sender,
    sender_role: m.sender_role,
    random_id: m.random_id,
    content: JSON.stringify(m.content),
    ts: m.ts,
    state,
    search_text: searchTextOf(m.content),
  };
}
