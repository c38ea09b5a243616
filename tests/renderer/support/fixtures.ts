import type { LineView, LocalMessage, Session, Settings } from '../../../src-shared/ipc';
import type { Content } from '../../../src-shared/protocol';

/** Fixed "now" for renderer tests: 2024-05-14 10:00 local time. */
export const NOW = new Date(2024, 4, 14, 10, 0, 0).getTime();
export const SERVER_URL = 'http://127.0.0.1:7001';
export const ME = { uid: 's1', role: 'staff' as const, display_name: 'Li Na', merchant_id: 'm1' };

export const SIGNED_IN: Session = { signed_in: true, user: ME, server_url: SERVER_URL, server_url_locked: false };
export const SIGNED_OUT: Session = { signed_in: false, user: null, server_url: SERVER_URL, server_url_locked: false };

export const SETTINGS: Settings = {
  notifications: { enabled: true, sound: true, dnd_until: null },
  language: 'en',
  start_at_login: false,
  close_to_tray: true,
  flash_on_message: true,
};

const BUSI = ['consult', 'private', 'feedback'] as const;
const KINDS = ['hotel', 'tour', 'ticket', 'order'] as const;

export function makeLine(i: number, over: Partial<LineView> = {}): LineView {
  return {
    line_id: `L${i}`,
    uid: `c${i}`,
    customer_name: `Customer ${i}`,
    object: { object_id: `o${i}`, kind: KINDS[i % KINDS.length]!, title: `Object ${i}`, merchant_id: 'm1' },
    busi_type: BUSI[i % BUSI.length]!,
    status: 'open',
    assignee: i % 2 === 0 ? ME.uid : 's2',
    assignee_name: i % 2 === 0 ? ME.display_name : 'Wang Wei',
    created_at: NOW - 86_400_000,
    last_message_at: NOW - i * 60_000,
    waiting_since: null,
    peer_read_message_id: null,
    unread: 0,
    muted: false,
    last_message: null,
    ...over,
  };
}

let seq = 0;
export function makeMessage(lineId: string, over: Partial<LocalMessage> & { content?: Content } = {}): LocalMessage {
  const n = ++seq;
  const id = over.message_id === undefined ? `M${n}` : over.message_id;
  return {
    message_id: id,
    line_id: lineId,
    sender: 'c1',
    sender_role: 'customer',
    random_id: null,
    content: { type: 'text', text: `message ${n}` },
    ts: NOW - 1000 + n,
    key: id ?? `local:${over.random_id ?? n}`,
    state: 'sent',
    error: null,
    ...over,
  };
}
