import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestBody, RequestType } from '../../src-shared/protocol';
import type { HttpClient, WsClient } from '../support/protocol-client';
import { rid, startTestServer, type TestServer } from '../support/test-server';

/**
 * The authorisation matrix: every cross-tenant read or write is refused, over both transports,
 * and leaves no trace. Tenants: merchant m1 (staff s1) and m2 (staff s2); customers c1, c2.
 */
let t: TestServer;
let line1: string; // c1 ↔ m1
let msg1: string;
let line2: string; // c2 ↔ m1
let msg2: string;
let s1Uid: string;
let s2Uid: string;
let s1Reply: string;

beforeAll(async () => {
  t = await startTestServer();
  await t.addMerchant('m1');
  await t.addMerchant('m2');
  await t.addObject({ object_id: 'room', kind: 'room', merchant_id: 'm1' });
  await t.addObject({ object_id: 'tour', kind: 'tour', merchant_id: 'm2' });
  s1Uid = (await t.addStaff('s1', 'm1')).uid;
  s2Uid = (await t.addStaff('s2', 'm2')).uid;
  await t.addCustomer('c1');
  await t.addCustomer('c2');
  const c1 = await t.connectHttp('c1');
  const c2 = await t.connectHttp('c2');
  const a = await c1.request('send', {
    random_id: rid(),
    to: { object_id: 'room', busi_type: 'consult' },
    content: { type: 'text', text: 'c1 secret' },
  });
  const b = await c2.request('send', {
    random_id: rid(),
    to: { object_id: 'room', busi_type: 'consult' },
    content: { type: 'text', text: 'c2 secret' },
  });
  [line1, msg1, line2, msg2] = [a.line.line_id, a.message.message_id, b.line.line_id, b.message.message_id];
  const s1 = await t.connectHttp('s1');
  s1Reply = (await s1.request('quick_replies.put', { title: 'Hi', text: 'Hello' })).quick_reply.id;
});
afterAll(async () => {
  await t.stop();
});

type Case = [who: string, type: RequestType, body: () => unknown, code: 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_ARGUMENT'];
const cases: Case[] = [
  // another customer's line
  ['c2', 'send', () => ({ random_id: rid(), line_id: line1, content: { type: 'text', text: 'intrude' } }), 'NOT_FOUND'],
  ['c2', 'read', () => ({ line_id: line1, message_id: msg1 }), 'NOT_FOUND'],
  ['c2', 'typing', () => ({ line_id: line1 }), 'NOT_FOUND'],
  ['c2', 'history', () => ({ line_id: line1 }), 'NOT_FOUND'],
  ['c2', 'read', () => ({ line_id: line2, message_id: msg1 }), 'NOT_FOUND'],
  // staff-only requests from a customer
  ['c1', 'line.transfer', () => ({ line_id: line1, to: s1Uid }), 'FORBIDDEN'],
  ['c1', 'line.status', () => ({ line_id: line1, status: 'resolved' }), 'FORBIDDEN'],
  ['c1', 'staff.list', () => ({}), 'FORBIDDEN'],
  ['c1', 'quick_replies.list', () => ({}), 'FORBIDDEN'],
  ['c1', 'quick_replies.put', () => ({ title: 'x', text: 'y' }), 'FORBIDDEN'],
  ['c1', 'quick_replies.delete', () => ({ id: s1Reply }), 'FORBIDDEN'],
  // another merchant's staff
  ['s2', 'send', () => ({ random_id: rid(), line_id: line1, content: { type: 'text', text: 'poach' } }), 'NOT_FOUND'],
  ['s2', 'read', () => ({ line_id: line1, message_id: msg1 }), 'NOT_FOUND'],
  ['s2', 'typing', () => ({ line_id: line1 }), 'NOT_FOUND'],
  ['s2', 'history', () => ({ line_id: line1 }), 'NOT_FOUND'],
  ['s2', 'line.transfer', () => ({ line_id: line1, to: s2Uid }), 'NOT_FOUND'],
  ['s2', 'line.status', () => ({ line_id: line1, status: 'resolved' }), 'NOT_FOUND'],
  ['s2', 'quick_replies.put', () => ({ id: s1Reply, title: 'mine now', text: 'y' }), 'NOT_FOUND'],
  ['s2', 'quick_replies.delete', () => ({ id: s1Reply }), 'NOT_FOUND'],
  // staff cannot open lines in a customer's name, nor hand a line to another merchant
  [
    's1',
    'send',
    () => ({ random_id: rid(), to: { object_id: 'room', busi_type: 'consult' }, content: { type: 'text', text: 'x' } }),
    'FORBIDDEN',
  ],
  ['s1', 'line.transfer', () => ({ line_id: line1, to: s2Uid }), 'INVALID_ARGUMENT'],
  ['s1', 'read', () => ({ line_id: line1, message_id: msg2 }), 'NOT_FOUND'],
];

describe.each(['ws', 'http'] as const)('authorisation matrix over %s', (transport) => {
  const clients = new Map<string, WsClient | HttpClient>();
  const client = async (who: string): Promise<WsClient | HttpClient> => {
    let c = clients.get(who);
    if (!c) clients.set(who, (c = transport === 'ws' ? await t.connectWs(who) : await t.connectHttp(who)));
    return c;
  };

  it.each(cases)('%s %s is refused with %s', async (who, type, body, code) => {
    const c = await client(who);
    await expect(c.request(type, body() as RequestBody<typeof type>)).rejects.toMatchObject({ error: { code } });
  });

  it('lists, inboxes and histories show nothing across tenants, and nothing was written', async () => {
    const c2 = await client('c2');
    expect((await c2.request('lines.list', {})).lines.map((l) => l.line_id)).toEqual([line2]);
    const s2 = await client('s2');
    expect((await s2.request('lines.list', {})).lines).toEqual([]);
    expect((await s2.request('sync', { cursor: null })).events).toEqual([]);
    const c2Inbox = await c2.request('sync', { cursor: null });
    expect(JSON.stringify(c2Inbox)).not.toContain('c1 secret');
    const s1 = await client('s1');
    const { messages } = await s1.request('history', { line_id: line1 });
    // s1 took the queued line on connecting: the assignment notice is the only other message.
    expect(messages.map((m) => (m.content.type === 'text' ? m.content.text : m.content.type))).toEqual([
      'c1 secret',
      'system',
    ]);
    expect((await s1.request('lines.list', {})).lines.map((l) => l.status)).toEqual(['open', 'open']);
    expect((await s1.request('quick_replies.list', {})).quick_replies.map((q) => q.title)).toEqual(['Hi']);
  });
});
