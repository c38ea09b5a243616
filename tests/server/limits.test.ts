import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS, type ServerEnvelope } from '../../src-shared/protocol';
import { WsClient } from '../support/protocol-client';
import { rid, startTestServer, type TestServer } from '../support/test-server';

/**
 * Every limit and malformed-input case is answered with its own code, the offending connection
 * stays up where the protocol says so, nothing is persisted, and a bystander pair keeps chatting.
 */
let t: TestServer;
afterEach(async () => {
  await t.stop();
});

async function setup(
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<{ lineId: string; bystanderCheck: () => Promise<void> }> {
  t = await startTestServer(options);
  await t.addMerchant('m1');
  await t.addObject({ object_id: 'r1', kind: 'room', merchant_id: 'm1' });
  await t.addStaff('amy', 'm1');
  await t.addStaff('bystander-staff', 'm1');
  await t.addCustomer('mallory');
  await t.addCustomer('bystander');
  const mallory = await t.connectHttp('mallory');
  const first = await mallory.request('send', {
    random_id: rid(),
    to: { object_id: 'r1', busi_type: 'consult' },
    content: { type: 'text', text: 'first' },
  });
  const bystander = await t.connectWs('bystander');
  const line = (
    await bystander.request('send', {
      random_id: rid(),
      to: { object_id: 'r1', busi_type: 'feedback' },
      content: { type: 'text', text: 'hello' },
    })
  ).line;
  return {
    lineId: first.line.line_id,
    bystanderCheck: async () => {
      const ack = await bystander.request('send', {
        random_id: rid(),
        line_id: line.line_id,
        content: { type: 'text', text: 'still fine' },
      });
      expect(ack.duplicate).toBe(false);
    },
  };
}

async function errorFor(client: WsClient, frame: string | Buffer): Promise<ServerEnvelope> {
  const before = client.received.length;
  client.sendRaw(frame);
  return client.waitFor((e) => e.type === 'error' && client.received.indexOf(e) >= before);
}

const historyLength = async (lineId: string): Promise<number> =>
  (await t.server.store.history(lineId, null, 200)).messages.length;

describe('malformed and oversized input over WebSocket', () => {
  it.each(
    [
      ['not JSON', '{"v":1,', 'BAD_PACKET'],
      ['an envelope without type', '{"v":1,"id":"x1"}', 'BAD_PACKET'],
      ['a wrong protocol version', '{"v":7,"id":"x2","type":"ping","body":{"t":1}}', 'PROTOCOL_VERSION'],
      ['an unknown type', '{"v":1,"id":"x3","type":"teleport","body":{}}', 'UNKNOWN_TYPE'],
      ['a body that fails its schema', '{"v":1,"id":"x4","type":"send","body":{"random_id":"nope"}}', 'BAD_PACKET'],
      ['an empty batch', '[]', 'BAD_PACKET'],
      [
        'a batch over the limit',
        JSON.stringify(
          Array.from({ length: LIMITS.maxBatch + 1 }, (_v, i) => ({ v: 1, id: `b${i}`, type: 'ping', body: { t: 1 } })),
        ),
        'BAD_PACKET',
      ],
      ['deeply nested arrays', '['.repeat(20_000) + ']'.repeat(20_000), 'BAD_PACKET'],
      [
        'a frame over the packet limit',
        JSON.stringify({ v: 1, id: 'big', type: 'ping', body: { t: 1, pad: 'x'.repeat(LIMITS.maxPacketBytes) } }),
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'multi-byte text whose bytes exceed the limit',
        JSON.stringify({
          v: 1,
          id: 'big2',
          type: 'ping',
          body: { t: 1, pad: '漢'.repeat(LIMITS.maxPacketBytes / 3 + 10) },
        }),
        'PAYLOAD_TOO_LARGE',
      ],
    ].map(([name, frame, code]) => [name!, code!, frame!] as const),
  )('%s gets %s and the connection stays up', async (_name, code, frame) => {
    const { bystanderCheck } = await setup();
    const c = await t.connectWs('mallory');
    expect(await errorFor(c, frame)).toMatchObject({ type: 'error', error: { code } });
    expect((await c.request('ping', { t: 5 })).t).toBe(5);
    await bystanderCheck();
  });

  it('a binary frame is refused with BAD_PACKET', async () => {
    await setup();
    const c = await t.connectWs('mallory');
    expect(await errorFor(c, Buffer.from([1, 2, 3]))).toMatchObject({ error: { code: 'BAD_PACKET' } });
    await c.request('ping', { t: 1 });
  });

  it('an over-long message gets MESSAGE_TOO_LONG and nothing is stored', async () => {
    const { lineId, bystanderCheck } = await setup();
    const c = await t.connectWs('mallory');
    const before = await historyLength(lineId);
    await expect(
      c.request('send', {
        random_id: rid(),
        line_id: lineId,
        content: { type: 'text', text: 'y'.repeat(LIMITS.maxTextLength + 1) },
      }),
    ).rejects.toMatchObject({
      error: { code: 'MESSAGE_TOO_LONG' },
    });
    await expect(
      c.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: '' } }),
    ).rejects.toMatchObject({ error: { code: 'BAD_PACKET' } });
    expect(await historyLength(lineId)).toBe(before);
    await c.request('send', {
      random_id: rid(),
      line_id: lineId,
      content: { type: 'text', text: 'y'.repeat(LIMITS.maxTextLength) },
    });
    expect(await historyLength(lineId)).toBe(before + 1);
    await bystanderCheck();
  });

  it('a frame beyond the socket payload cap closes with 1009, other users unaffected', async () => {
    const { bystanderCheck } = await setup();
    const c = await t.connectWs('mallory');
    c.sendRaw('x'.repeat(LIMITS.maxPacketBytes * 4 + 1));
    expect((await c.closed).code).toBe(1009);
    await bystanderCheck();
  });

  it('requests before hello get NOT_READY; a second hello gets INVALID_ARGUMENT', async () => {
    await setup();
    const raw = t.track(await WsClient.open(t.url));
    expect(await errorFor(raw, '{"v":1,"id":"early","type":"ping","body":{"t":1}}')).toMatchObject({
      re: 'early',
      error: { code: 'NOT_READY' },
    });
    const c = await t.connectWs('mallory');
    await expect(c.request('hello', { protocol: 1, token: 'x', device_id: 'd' })).rejects.toMatchObject({
      error: { code: 'INVALID_ARGUMENT' },
    });
    await expect(c.request('sync', { cursor: null })).resolves.toMatchObject({ outcome: 'reset' });
  });
});

describe('malformed and oversized input over HTTP', () => {
  it('rpc answers with error envelopes and status codes', async () => {
    const { lineId, bystanderCheck } = await setup();
    const c = await t.connectHttp('mallory');
    expect(await c.rpc('{"v":1,')).toMatchObject([{ type: 'error', error: { code: 'BAD_PACKET' } }]);
    expect(await c.rpc('{"v":1,"id":"u","type":"teleport"}')).toMatchObject([
      { re: 'u', error: { code: 'UNKNOWN_TYPE' } },
    ]);
    expect(await c.rpc('{"v":1,"id":"h","type":"hello","body":{}}')).toMatchObject([
      { re: 'h', error: { code: 'INVALID_ARGUMENT' } },
    ]);
    const big = JSON.stringify({
      v: 1,
      id: 'big',
      type: 'ping',
      body: { t: 1, pad: 'x'.repeat(LIMITS.maxPacketBytes) },
    });
    expect(await c.rpc(big)).toMatchObject([{ error: { code: 'PAYLOAD_TOO_LARGE' } }]);
    const huge = 'x'.repeat(LIMITS.maxPacketBytes * 5);
    const res = await fetch(`${t.url}/v1/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'x-device-id': 'd', 'content-type': 'application/json' },
      body: huge,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject([{ error: { code: 'PAYLOAD_TOO_LARGE' } }]);
    const tooLong = JSON.stringify({
      v: 1,
      id: 'l',
      type: 'send',
      body: {
        random_id: rid(),
        line_id: lineId,
        content: { type: 'text', text: 'z'.repeat(LIMITS.maxTextLength + 1) },
      },
    });
    expect(await c.rpc(tooLong)).toMatchObject([{ re: 'l', error: { code: 'MESSAGE_TOO_LONG' } }]);
    const noDevice = await fetch(`${t.url}/v1/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}` },
      body: '{"v":1,"type":"ping","body":{"t":1}}',
    });
    expect(noDevice.status).toBe(400);
    const badPoll = await fetch(`${t.url}/v1/poll?seq=3`, {
      headers: { authorization: `Bearer ${c.token}`, 'x-device-id': 'd' },
    });
    expect(badPoll.status).toBe(400);
    expect(await historyLength(lineId)).toBe(1);
    await bystanderCheck();
  });

  it('unknown endpoints answer NOT_FOUND as data', async () => {
    await setup();
    const res = await fetch(`${t.url}/v1/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('rate limits', () => {
  it('packets beyond the bucket get RATE_LIMITED with retry_after_ms and are not persisted', async () => {
    const { lineId, bystanderCheck } = await setup({ rateBurst: 5, ratePerSecond: 5 });
    const c = await t.connectWs('mallory');
    const before = await historyLength(lineId);
    const batch = Array.from({ length: 8 }, (_v, i) => ({
      v: 1,
      id: `s${i}`,
      type: 'send',
      body: { random_id: rid(), line_id: lineId, content: { type: 'text', text: `n${i}` } },
    }));
    c.sendRaw(JSON.stringify(batch));
    await c.waitFor((e) => e.type !== 'push' && e.re === 's7');
    const replies = batch.map((b) => c.received.find((e) => e.type !== 'push' && e.re === b.id)!);
    // hello took the first of the 5 tokens
    expect(replies.map((r) => r.type)).toEqual([
      'reply',
      'reply',
      'reply',
      'reply',
      'error',
      'error',
      'error',
      'error',
    ]);
    const limited = replies[4]!;
    expect(limited.type === 'error' && limited.error).toMatchObject({ code: 'RATE_LIMITED', temporary: true });
    expect(limited.type === 'error' && limited.error.retry_after_ms).toBeGreaterThan(0);
    expect(await historyLength(lineId)).toBe(before + 4);
    await bystanderCheck();
  });

  it('sustained abuse closes the socket with 4029', async () => {
    const { bystanderCheck } = await setup({ rateBurst: 4, ratePerSecond: 1, rateAbuseLimit: 20 });
    const c = await t.connectWs('mallory');
    const batch = JSON.stringify(
      Array.from({ length: 30 }, (_v, i) => ({ v: 1, id: `p${i}`, type: 'ping', body: { t: i } })),
    );
    c.sendRaw(batch);
    expect((await c.closed).code).toBe(4029);
    await bystanderCheck();
  });

  it('HTTP clients are limited per device: rpc envelopes and polls', async () => {
    await setup({ rateBurst: 3, ratePerSecond: 1 });
    const c = await t.connectHttp('mallory');
    const replies = await c.rpc(
      JSON.stringify(Array.from({ length: 4 }, (_v, i) => ({ v: 1, id: `p${i}`, type: 'ping', body: { t: i } }))),
    );
    expect(replies.map((r) => (r.type === 'error' ? r.error.code : r.type))).toEqual([
      'reply',
      'reply',
      'reply',
      'RATE_LIMITED',
    ]);
    const res = await fetch(`${t.url}/v1/poll?wait_ms=0`, {
      headers: { authorization: `Bearer ${c.token}`, 'x-device-id': c.deviceId },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    // Another device of the same user has its own bucket.
    const other = await t.connectHttp('mallory');
    await expect(other.request('ping', { t: 1 })).resolves.toMatchObject({ t: 1 });
  });
});

describe('timeouts and slow consumers', () => {
  it('a socket that never says hello is closed with 4004', async () => {
    await setup({ helloTimeoutMs: 150 });
    const raw = t.track(await WsClient.open(t.url));
    expect((await raw.closed).code).toBe(4004);
  });

  it('a peer that stops answering pings is closed with 4009; a live one stays', async () => {
    const { bystanderCheck } = await setup({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 100 });
    const deaf = await t.connectWs('mallory', 'deaf', { autoPong: false });
    const alive = await t.connectWs('amy');
    expect((await deaf.closed).code).toBe(4009);
    await new Promise((r) => setTimeout(r, 300));
    await expect(alive.request('ping', { t: 1 })).resolves.toMatchObject({ t: 1 });
    await bystanderCheck();
    expect(t.server.connectionCount()).toBe(2);
  });

  it('a consumer that stops reading is closed with 4008 once its queue overflows', async () => {
    const { lineId, bystanderCheck } = await setup({
      maxOutboundQueueBytes: 64 * 1024,
      rateBurst: 1000,
      ratePerSecond: 1000,
    });
    const slow = await t.connectWs('mallory', 'slow');
    const amy = await t.connectWs('amy');
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const text = 'w'.repeat(3_500);
    for (let round = 0; round < 200; round++) {
      const frame = Array.from({ length: 15 }, (_v, i) => ({
        v: 1,
        id: `f${round}-${i}`,
        type: 'send',
        body: { random_id: rid(), line_id: lineId, content: { type: 'text', text } },
      }));
      amy.sendRaw(JSON.stringify(frame));
      await amy.waitFor((e) => e.type === 'reply' && e.re === `f${round}-14`, 10_000);
      if (t.server.connectionCount() < 3) break;
    }
    socket.resume();
    expect((await slow.closed).code).toBe(4008);
    await bystanderCheck();
    await expect(amy.request('ping', { t: 1 })).resolves.toMatchObject({ t: 1 });
  });
});
