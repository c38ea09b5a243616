import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PollResult, type InboxEvent } from '../../src-shared/protocol';
import { HttpClient, InboxReader, WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD, follow, rid, startTestServer, uniqueDevice, type TestServer } from '../support/test-server';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addMerchant('m1', 'Harbour Hotel');
  await t.addObject({ object_id: 'room-1', kind: 'room', merchant_id: 'm1', title: 'Lake room' });
  await t.addStaff('staff1', 'm1');
  await t.addCustomer('cust1');
});
afterEach(async () => {
  await t.stop();
});

const text = (e: InboxEvent): string | null =>
  e.kind === 'message' && e.message.content.type === 'text' ? e.message.content.text : null;
const seqs = (r: InboxReader): number[] => r.events.map((e) => e.seq);
const contiguous = (r: InboxReader): void => expect(seqs(r)).toEqual(seqs(r).map((_s, i) => i + 1));

describe('delivery', () => {
  it('live pushes carry exactly the stored events, in seq order, one after another', async () => {
    const staff = await t.connectWs('staff1');
    const customer = await t.connectWs('cust1');
    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'hello' },
    });
    for (let i = 0; i < 10; i++) {
      const from = i % 2 ? customer : staff;
      await from.request('send', {
        random_id: rid(),
        line_id: first.line.line_id,
        content: { type: 'text', text: `m${i}` },
      });
    }
    for (const client of [staff, customer]) {
      const stored = (await client.request('sync', { cursor: null })).events;
      await client.waitFor((env) => JSON.stringify(env).includes('"text":"m9"'));
      const pushed = client.received.flatMap((env) =>
        env.type === 'push' && env.topic === 'inbox' ? (env.body as { events: InboxEvent[] }).events : [],
      );
      expect(pushed).toEqual(stored);
      expect(pushed.map((e) => e.seq)).toEqual(stored.map((_e, i) => i + 1));
    }
  });

  it('a long-polling customer and a WebSocket staff member chat both ways, in order', async () => {
    const staff = await t.connectWs('staff1');
    const staffInbox = await follow(t, staff);
    const customer = await t.connectHttp('cust1');
    const customerInbox = await follow(t, customer);

    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'c1' },
    });
    const lineId = first.line.line_id;
    for (let i = 0; i < 5; i++) {
      await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: `s${i}` } });
      await customer.request('send', {
        random_id: rid(),
        line_id: lineId,
        content: { type: 'text', text: `c${i + 2}` },
      });
    }
    const expected = ['c1', 's0', 'c2', 's1', 'c3', 's2', 'c4', 's3', 'c5', 's4', 'c6'];
    await customerInbox.waitFor((e) => text(e) === 'c6');
    await staffInbox.waitFor((e) => text(e) === 'c6');
    expect(customerInbox.events.map(text).filter(Boolean)).toEqual(expected);
    expect(staffInbox.events.map(text).filter(Boolean)).toEqual(expected);
    contiguous(customerInbox);
    contiguous(staffInbox);
  });

  it('a resend with the same random_id returns the original ack and delivers once (both transports)', async () => {
    const staff = await t.connectWs('staff1');
    const staffInbox = await follow(t, staff);
    const device = uniqueDevice('cust');
    const { token } = await signIn(t.url, 'cust1', TEST_PASSWORD, device);
    const overWs = t.track(await WsClient.connect(t.url, { token, device_id: device }));
    const overHttp = t.track(new HttpClient(t.url, token, device));
    const randomId = rid();
    const body = {
      random_id: randomId,
      to: { object_id: 'room-1', busi_type: 'consult' as const },
      content: { type: 'text' as const, text: 'only once' },
    };
    const first = await overWs.request('send', body);
    const again = await overWs.request('send', body);
    const viaHttp = await overHttp.request('send', body);
    expect(first.duplicate).toBe(false);
    for (const ack of [again, viaHttp]) {
      expect(ack.duplicate).toBe(true);
      expect(ack.message).toEqual(first.message);
      expect(ack.seq).toBe(first.seq);
    }
    await staffInbox.waitFor((e) => text(e) === 'only once');
    await overWs.request('ping', { t: 1 });
    expect(staffInbox.messages().filter((e) => e.message.random_id === randomId)).toHaveLength(1);
  });

  it("the sender's other devices receive its message with the random_id", async () => {
    const phone = await t.connectWs('cust1', 'phone');
    const laptop = await t.connectHttp('cust1', 'laptop');
    const laptopInbox = await follow(t, laptop);
    const randomId = rid();
    const ack = await phone.request('send', {
      random_id: randomId,
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'from phone' },
    });
    const seen = await laptopInbox.waitFor(
      (e) => e.kind === 'message' && e.message.message_id === ack.message.message_id,
    );
    expect(seen).toMatchObject({ seq: ack.seq, message: { random_id: randomId, sender: phone.welcome!.user.uid } });
  });

  it('a held long-poll woken by a commit answers with the stored events, as plain JSON', async () => {
    const customer = await t.connectHttp('cust1');
    const staff = await t.connectWs('staff1');
    const opened = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'hello "there"' },
    });
    const head = (await customer.request('sync', { cursor: null })).next;
    const held = fetch(`${t.url}/v1/poll?wait_ms=5000&epoch=${head.epoch}&seq=${head.seq}`, {
      headers: { authorization: `Bearer ${customer.token}`, 'x-device-id': customer.deviceId },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await staff.request('send', {
      random_id: rid(),
      line_id: opened.line.line_id,
      content: { type: 'text', text: 'answer\n\u00e9' },
    });
    const res = await held;
    const body = await res.text();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const answer = PollResult.parse(JSON.parse(body));
    // Exactly what serialising the parsed answer gives: events spliced in as stored change nothing on the wire.
    expect(body).toBe(JSON.stringify(JSON.parse(body)));
    const stored = await customer.request('sync', { cursor: head });
    expect(answer).toEqual({ ...stored, pushes: [] });
    expect(answer.events.map(text)).toEqual(['answer\n\u00e9']);
  });

  it('switching transport mid-session loses and repeats nothing', async () => {
    const staff = await t.connectWs('staff1');
    const device = uniqueDevice('cust');
    const { token } = await signIn(t.url, 'cust1', TEST_PASSWORD, device);
    const ws = t.track(await WsClient.connect(t.url, { token, device_id: device }));
    const wsInbox = new InboxReader(ws);
    await wsInbox.start();
    const first = await ws.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'on ws' },
    });
    const lineId = first.line.line_id;
    await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: 'r1' } });
    await wsInbox.waitFor((e) => text(e) === 'r1');
    await wsInbox.stop();
    await ws.close();

    // Messages that arrive while the client is between transports...
    await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: 'r2' } });
    const http = t.track(new HttpClient(t.url, token, device));
    const pollInbox = t.track(new InboxReader(http, wsInbox.cursor));
    await pollInbox.start();
    await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: 'r3' } });
    await pollInbox.waitFor((e) => text(e) === 'r3');
    await pollInbox.stop();

    // ...and back to WebSocket.
    await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: 'r4' } });
    const ws2 = t.track(await WsClient.connect(t.url, { token, device_id: device }));
    const ws2Inbox = t.track(new InboxReader(ws2, pollInbox.cursor));
    await ws2Inbox.start();
    await staff.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: 'r5' } });
    await ws2Inbox.waitFor((e) => text(e) === 'r5');

    const all = [...wsInbox.events, ...pollInbox.events, ...ws2Inbox.events];
    expect(all.map((e) => e.seq)).toEqual(all.map((_e, i) => i + 1));
    expect(all.map(text).filter(Boolean)).toEqual(['on ws', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('resume after a disconnect returns exactly what was missed, paged', async () => {
    const staff = await t.connectWs('staff1');
    const customer = await t.connectWs('cust1', 'c-dev');
    const inbox = new InboxReader(customer);
    await inbox.start();
    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'hi' },
    });
    await inbox.waitFor((e) => text(e) === 'hi');
    // staff1 is online, so the line was assigned at once and its notice follows the first message.
    await inbox.waitFor((e) => e.kind === 'message' && e.message.content.type === 'system');
    await inbox.stop();
    await customer.close();
    for (let i = 0; i < 30; i++)
      await staff.request('send', {
        random_id: rid(),
        line_id: first.line.line_id,
        content: { type: 'text', text: `m${i}` },
      });

    const back = await t.connectWs('cust1', 'c-dev');
    const page = await back.request('sync', { cursor: inbox.cursor, limit: 7 });
    expect(page).toMatchObject({ outcome: 'recovered', more: true });
    expect(page.events.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    const resumed = t.track(new InboxReader(back, inbox.cursor));
    await resumed.start();
    await resumed.waitFor((e) => text(e) === 'm29');
    expect(resumed.events.map(text)).toEqual(Array.from({ length: 30 }, (_v, i) => `m${i}`));
    expect(resumed.events[0]!.seq).toBe(inbox.cursor!.seq + 1);
  });

  it.each(['close', 'kill'] as const)('resume after a server restart (%s) loses and repeats nothing', async (how) => {
    const staff = await t.connectWs('staff1', 'staff-dev');
    const customer = await t.connectHttp('cust1', 'cust-dev');
    const inbox = new InboxReader(customer);
    await inbox.start();
    const first = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'before' },
    });
    const acked = await staff.request('send', {
      random_id: rid(),
      line_id: first.line.line_id,
      content: { type: 'text', text: 'acked before restart' },
    });
    await inbox.waitFor((e) => text(e) === 'acked before restart');
    await inbox.stop();

    await t.restart(how);

    const staff2 = await t.connectWs('staff1', 'staff-dev');
    await staff2.request('send', {
      random_id: rid(),
      line_id: first.line.line_id,
      content: { type: 'text', text: 'after restart' },
    });
    // A retry of a message acknowledged before the restart is still recognised.
    const retry = await staff2.request('send', {
      random_id: acked.message.random_id!,
      line_id: first.line.line_id,
      content: { type: 'text', text: 'acked before restart' },
    });
    expect(retry).toMatchObject({ duplicate: true, seq: acked.seq, message: { message_id: acked.message.message_id } });

    const customer2 = await t.connectHttp('cust1', 'cust-dev');
    const resumed = t.track(new InboxReader(customer2, inbox.cursor));
    await resumed.start();
    await resumed.waitFor((e) => text(e) === 'after restart');
    const all = [...inbox.events, ...resumed.events];
    expect(all.map((e) => e.seq)).toEqual(all.map((_e, i) => i + 1));
    expect(all.map(text).filter(Boolean)).toEqual(['before', 'acked before restart', 'after restart']);
  });

  it('racing first messages from several devices make one line', async () => {
    const phone = await t.connectWs('cust1', 'phone');
    const laptop = await t.connectHttp('cust1', 'laptop');
    const tablet = await t.connectWs('cust1', 'tablet');
    const sends = [phone, laptop, tablet, phone, laptop, tablet].map((c, i) =>
      c.request('send', {
        random_id: rid(),
        to: { object_id: 'room-1', busi_type: 'consult' },
        content: { type: 'text', text: `race ${i}` },
      }),
    );
    const acks = await Promise.all(sends);
    expect(new Set(acks.map((a) => a.line.line_id)).size).toBe(1);
    const { lines } = await laptop.request('lines.list', {});
    expect(lines).toHaveLength(1);
    const { messages } = await laptop.request('history', { line_id: lines[0]!.line_id });
    expect(messages).toHaveLength(6);
  });
});
