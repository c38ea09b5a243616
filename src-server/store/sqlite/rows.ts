import type { BusiType, Content, LineObject, LineStatus, Message, Role } from '../../../src-shared/protocol';
import type { Account, AccountWithSecret, LineRecord } from '../types';

/** Row shapes as SQLite returns them, and their mapping to the store's records (ids become strings). */

export interface UserRow {
  uid: number;
  account: string;
  password_hash: string;
  role: Role;
  display_name: string;
  merchant_id: string | null;
  capacity: number;
  disabled: number;
}

export function toAccount(row: UserRow): Account {
  return {
    uid: String(row.uid),
    account: row.account,
    role: row.role,
    display_name: row.display_name,
    merchant_id: row.merchant_id,
    capacity: row.capacity,
    disabled: row.disabled !== 0,
  };
}

export function toAccountWithSecret(row: UserRow): AccountWithSecret {
  return { ...toAccount(row), password_hash: row.password_hash };
}

export interface LineRow {
  line_id: number;
  uid: number;
  customer_name: string;
  object_id: string;
  object_kind: LineObject['kind'];
  object_title: string;
  merchant_id: string;
  busi_type: BusiType;
  status: LineStatus;
  assignee: number | null;
  assignee_name: string | null;
  created_at: number;
  last_message_at: number | null;
  waiting_since: number | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL (which shares this select). */
  waiting_announced: number | boolean;
  customer_read_message_id: number | null;
  staff_read_message_id: number | null;
}

export const LINE_SELECT = `
  SELECT l.line_id, l.uid, c.display_name AS customer_name, l.object_id, o.kind AS object_kind, o.title AS object_title,
         l.merchant_id, l.busi_type, l.status, l.assignee, a.display_name AS assignee_name, l.created_at,
         l.last_message_at, l.waiting_since, l.waiting_announced, l.customer_read_message_id, l.staff_read_message_id
  FROM lines l
  JOIN users c ON c.uid = l.uid
  JOIN objects o ON o.object_id = l.object_id
  LEFT JOIN users a ON a.uid = l.assignee`;

const idOrNull = (n: number | null): string | null => (n === null ? null : String(n));

export function toLineRecord(row: LineRow): LineRecord {
  return {
    line_id: String(row.line_id),
    uid: String(row.uid),
    customer_name: row.customer_name,
    object: { object_id: row.object_id, kind: row.object_kind, title: row.object_title, merchant_id: row.merchant_id },
    merchant_id: row.merchant_id,
    busi_type: row.busi_type,
    status: row.status,
    assignee: idOrNull(row.assignee),
    assignee_name: row.assignee_name,
    created_at: row.created_at,
    last_message_at: row.last_message_at,
    waiting_since: row.waiting_since,
    waiting_announced: row.waiting_announced === true || row.waiting_announced === 1,
    customer_read_message_id: idOrNull(row.customer_read_message_id),
    staff_read_message_id: idOrNull(row.staff_read_message_id),
  };
}

export interface MessageRow {
  message_id: number;
  line_id: number;
  sender: number;
  sender_role: Role;
  random_id: string | null;
  content: string;
  ts: number;
  sender_seq: number | null;
}

export function toMessage(row: MessageRow): Message {
  return {
    message_id: String(row.message_id),
    line_id: String(row.line_id),
    sender: String(row.sender),
    sender_role: row.sender_role,
    random_id: row.random_id,
    content: JSON.parse(row.content) as Content,
    ts: row.ts,
  };
}
