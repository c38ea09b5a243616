import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src-server/auth/passwords';
import { TokenIssuer } from '../../src-server/auth/tokens';
import { RequestError, WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

describe('passwords', () => {
  it('hash with scrypt, salted, and verify only the right password', async () => {
    const a = await hashPassword('s3cret', { N: 1024, r: 8, p: 1 });
    const b = await hashPassword('s3cret', { N: 1024, r: 8, p: 1 });
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('s3cret!', a)).toBe(false);
    expect(await verifyPassword('s3cret', 'garbage')).toBe(false);
  });

  it('the default cost is slow enough to matter', async () => {
    const started = performance.now();
    await hashPassword('x');
    expect(performance.now() - started).toBeGreaterThan(10);
  });
});

describe('tokens', () => {
  it('expire, and can be refreshed only within the grace period', async () => {
    let now = 1_700_000_000_000;
    const issuer = new TokenIssuer('secret', 60_000, 3600_000, () => now);
    const { token, expires_at } = await issuer.issue({ uid: '7', role: 'staff', merchant_id: 'm1' });
    expect(await issuer.verify(token)).toEqual({
      ok: true,
      claims: { uid: '7', role: 'staff', merchant_id: 'm1', expires_at },
    });
    now += 61_000;
    expect(await issuer.verify(token)).toEqual({ ok: false, code: 'TOKEN_EXPIRED' });
    expect((await issuer.verify(token, true)).ok).toBe(true);
    now += 3600_000;
    expect((await issuer.verify(token, true)).ok).toBe(false);
    const other = new TokenIssuer('other-secret', 60_000, 0, () => now);
    expect(await other.verify((await issuer.issue({ uid: '7', role: 'staff', merchant_id: null })).token)).toEqual({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
  });
});

describe('sign-in over HTTP and WebSocket', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ tokenTtlMs: 2_000 });
    await t.addMerchant('m1');
    await t.addStaff('s1', 'm1');
    await t.addCustomer('c1');
  });
  afterEach(() => t.stop());

  it('refuses a wrong password and a disabled account with terminal codes', async () => {
    await expect(signIn(t.url, 's1', 'nope', 'd1')).rejects.toMatchObject({ error: { code: 'BAD_CREDENTIALS' } });
    await expect(signIn(t.url, 'nobody', TEST_PASSWORD, 'd1')).rejects.toMatchObject({
      error: { code: 'BAD_CREDENTIALS' },
    });
    const c = await t.server.store.findAccountByLogin('c1');
    await t.server.store.setAccountDisabled(c!.uid, true);
    await expect(signIn(t.url, 'c1', TEST_PASSWORD, 'd1')).rejects.toMatchObject({
      error: { code: 'ACCOUNT_DISABLED' },
    });
  });

  it('hello with a bad token is refused and closed 4001; disabled account closes 4003', async () => {
    const ws = t.track(await WsClient.open(t.url));
    ws.sendRaw(JSON.stringify({ v: 1, id: 'h', type: 'hello', body: { protocol: 1, token: 'bad', device_id: 'd' } }));
    const err = await ws.waitFor((e) => e.type === 'error');
    expect(err).toMatchObject({ re: 'h', error: { code: 'UNAUTHENTICATED' } });
    expect((await ws.closed).code).toBe(4001);

    const { token } = await signIn(t.url, 'c1', TEST_PASSWORD, 'd1');
    const c = await t.server.store.findAccountByLogin('c1');
    await t.server.store.setAccountDisabled(c!.uid, true);
    const ws2 = t.track(await WsClient.open(t.url));
    ws2.sendRaw(JSON.stringify({ v: 1, id: 'h', type: 'hello', body: { protocol: 1, token, device_id: 'd' } }));
    expect((await ws2.closed).code).toBe(4003);
  });

  it('hello with the wrong protocol version closes 4005', async () => {
    const { token } = await signIn(t.url, 'c1', TEST_PASSWORD, 'd1');
    await expect(WsClient.connect(t.url, { token, device_id: 'd1', protocol: 2 })).rejects.toMatchObject({
      error: { code: 'PROTOCOL_VERSION' },
    });
  });

  it('in-band token.refresh extends the session; an expired token is refused and closes 4002', async () => {
    const { token } = await signIn(t.url, 'c1', TEST_PASSWORD, 'd1');
    const ws = t.track(await WsClient.connect(t.url, { token, device_id: 'd1' }));
    // TTL 2 s, `exp` has one-second granularity: the first token dies by +3 s, the refreshed one lives past +3.5 s.
    await new Promise((r) => setTimeout(r, 1_500));
    const fresh = await ws.request('token.refresh', {});
    expect(fresh.expires_at).toBeGreaterThan(ws.welcome!.token_expires_at);
    await new Promise((r) => setTimeout(r, 1_600));
    // The refreshed session is still good on this socket...
    await ws.request('ping', { t: 1 });
    // ...but the old token is now expired: hello refused, HTTP refresh still works within the grace period.
    const stale = t.track(await WsClient.open(t.url));
    stale.sendRaw(JSON.stringify({ v: 1, id: 'h', type: 'hello', body: { protocol: 1, token, device_id: 'd2' } }));
    expect(await stale.waitFor((e) => e.type === 'error')).toMatchObject({ error: { code: 'TOKEN_EXPIRED' } });
    expect((await stale.closed).code).toBe(4002);
    const res = await fetch(`${t.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const renewed = (await res.json()) as { token: string };
    const ws3 = t.track(await WsClient.connect(t.url, { token: renewed.token, device_id: 'd3' }));
    expect(ws3.welcome?.user.role).toBe('customer');
  });

  it('rpc and poll without a valid bearer token answer 401 UNAUTHENTICATED', async () => {
    const rpc = await fetch(`${t.url}/v1/rpc`, {
      method: 'POST',
      headers: { 'x-device-id': 'd' },
      body: '{"v":1,"id":"a","type":"ping","body":{"t":1}}',
    });
    expect(rpc.status).toBe(401);
    expect(await rpc.json()).toMatchObject([{ type: 'error', error: { code: 'UNAUTHENTICATED' } }]);
    const poll = await fetch(`${t.url}/v1/poll`, { headers: { authorization: 'Bearer nope', 'x-device-id': 'd' } });
    expect(poll.status).toBe(401);
    expect(RequestError).toBeDefined();
  });
});
