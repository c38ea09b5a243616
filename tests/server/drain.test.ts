import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEnvelope } from '../../src-shared/protocol';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
const retryAfter = (e: ServerEnvelope): number =>
  e.type === 'push' ? (e.body as { retry_after_ms: number }).retry_after_ms : -1;
afterEach(async () => {
  await t.stop();
});

describe('graceful shutdown', () => {
  it('tells every client when to come back (spread over the window), closes 1001, answers held polls, closes the db', async () => {
    const draws = [0.1, 0.5, 0.9, 0.3];
    let i = 0;
    t = await startTestServer({ drainWindowMs: 10_000, random: () => draws[i++ % draws.length]! });
    await t.addMerchant('m1');
    await t.addObject({ object_id: 'r1', kind: 'room', merchant_id: 'm1' });
    await t.addStaff('amy', 'm1');
    await t.addCustomer('c1');
    await t.addCustomer('c2');
    const sockets = [await t.connectWs('amy'), await t.connectWs('c1'), await t.connectWs('c2')];
    const poller = await t.connectHttp('c1');
    const ack = await poller.request('send', {
      random_id: rid(),
      to: { object_id: 'r1', busi_type: 'consult' },
      content: { type: 'text', text: 'kept' },
    });
    const head = await poller.request('sync', { cursor: null });
    const held = poller.poll(head.next, 20_000);
    await new Promise((r) => setTimeout(r, 100));

    const started = Date.now();
    await t.server.close();
    expect(Date.now() - started).toBeLessThan(3_000);

    const delays: number[] = [];
    for (const s of sockets) {
      const drain = await s.waitFor((e) => e.type === 'push' && e.topic === 'drain');
      delays.push(retryAfter(drain));
      expect((await s.closed).code).toBe(1001);
    }
    const answer = await held;
    expect(answer.pushes).toMatchObject([{ type: 'push', topic: 'drain' }]);
    delays.push(retryAfter(answer.pushes[0]!));
    expect(new Set(delays).size).toBe(4);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeLessThan(10_000);

    // The database is closed; nothing is accepted any more.
    await expect(t.server.store.getLine(ack.line.line_id)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();

    // ...and everything committed is there after a restart.
    await t.restart('close');
    const back = await t.connectWs('c1');
    const inbox = await follow(t, back);
    await inbox.waitFor((e) => e.kind === 'message' && e.message.content.type === 'system');
    expect(inbox.messages().map((e) => [e.message.message_id, e.message.content.type])).toEqual([
      [ack.message.message_id, 'text'],
      [String(Number(ack.message.message_id) + 1), 'system'],
    ]);
  });

  it('refuses new requests with SERVER_DRAINING while draining', async () => {
    t = await startTestServer();
    await t.addMerchant('m1');
    await t.addObject({ object_id: 'r1', kind: 'room', merchant_id: 'm1' });
    await t.addCustomer('c1');
    const c = await t.connectHttp('c1');
    // A socket that does not answer the close handshake keeps the drain phase open for its grace period.
    const stubborn = await t.connectWs('c1');
    const stubbornSocket = (stubborn.ws as unknown as { _socket: Socket })._socket;
    stubbornSocket.pause();
    const closing = t.server.close();
    await new Promise((r) => setTimeout(r, 100));
    const late = await fetch(`${t.url}/v1/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'x-device-id': c.deviceId },
      body: JSON.stringify({
        v: 1,
        id: 'x',
        type: 'send',
        body: {
          random_id: rid(),
          to: { object_id: 'r1', busi_type: 'consult' },
          content: { type: 'text', text: 'too late' },
        },
      }),
    });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).not.toBeNull();
    expect(await late.json()).toMatchObject([{ error: { code: 'SERVER_DRAINING', temporary: true } }]);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ draining: true });
    const poll = await c.poll(null, 5_000).catch((err: unknown) => err);
    expect(poll).toMatchObject({ error: { code: 'SERVER_DRAINING' } });
    await closing;
    stubbornSocket.resume();
    // It was sent drain + 1001, then cut after the grace period.
    expect(stubborn.received.some((e) => e.type === 'push' && e.topic === 'drain')).toBe(false);
    await stubborn.closed;
    expect(stubborn.received.some((e) => e.type === 'push' && e.topic === 'drain')).toBe(true);
    // The refused send was not executed.
    await t.restart('close');
    const again = await t.connectHttp('c1');
    expect((await again.request('lines.list', {})).lines).toEqual([]);
  });
});
