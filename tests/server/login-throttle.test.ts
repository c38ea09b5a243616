import { afterEach, describe, expect, it } from 'vitest';
import { FailureThrottle, LoginThrottle, failureWait } from '../../src-server/auth/login-throttle';
import { TEST_PASSWORD, startTestServer, type TestServer } from '../support/test-server';
import { THROTTLE_TEST_CONFIG } from '../support/throttle-config';

const rule = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 };

describe('FailureThrottle (pure)', () => {
  it('allows the free failures, then doubles the wait after each further failure, up to the cap', () => {
    const t = new FailureThrottle(rule, 100);
    let now = 0;
    for (let i = 0; i < 3; i++) {
      expect(t.wait('k', now)).toBe(0);
      t.fail('k', now);
    }
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = t.wait('k', now);
      waits.push(wait);
      now += wait;
      expect(t.wait('k', now)).toBe(0);
      t.fail('k', now);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('counts down from the last failure; asking does not count', () => {
    const t = new FailureThrottle(rule, 100);
    for (let i = 0; i < 3; i++) t.fail('k', 0);
    expect(t.wait('k', 0)).toBe(1000);
    expect(t.wait('k', 400)).toBe(600);
    expect(t.wait('k', 400)).toBe(600);
    expect(t.wait('k', 1000)).toBe(0);
  });

  it('forgets a key after the quiet period, and clears or forgives on request', () => {
    const t = new FailureThrottle(rule, 100);
    for (let i = 0; i < 5; i++) t.fail('k', 0);
    expect(t.wait('k', 59_999)).toBe(0); // the 4 s lock is long over, but the count is kept...
    t.fail('k', 59_999);
    expect(t.wait('k', 59_999)).toBe(8000); // ...so the next failure escalates
    t.fail('old', 0);
    expect(t.wait('old', 60_000)).toBe(0);
    t.fail('old', 60_000);
    t.fail('old', 60_000);
    t.fail('old', 60_000);
    expect(t.wait('old', 60_000)).toBe(1000); // counted afresh: 3 failures after the reset
    t.forgive('old');
    expect(t.wait('old', 60_000)).toBe(0);
    t.clear('k');
    expect(t.wait('k', 59_999)).toBe(0);
  });

  it('never waits longer than the delay itself, even on a clock behind the one that counted the failure', () => {
    expect(failureWait(rule, { failures: 3, last: 10_000 }, 10_000)).toBe(1000);
    expect(failureWait(rule, { failures: 3, last: 10_000 }, 7_000)).toBe(1000);
    expect(failureWait(rule, { failures: 4, last: 10_000 }, 10_500)).toBe(1500);
    expect(failureWait(rule, { failures: 2, last: 10_000 }, 7_000)).toBe(0);
    expect(failureWait(rule, { failures: 60, last: 0 }, 0)).toBe(8000);
    expect(failureWait(rule, null, 0)).toBe(0);
  });

  it('keeps at most maxKeys keys, forgetting the least recently failed', () => {
    const t = new FailureThrottle(rule, 3);
    for (const k of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) t.fail(k, 0);
    t.fail('a', 1); // a is now the most recent
    t.fail('d', 2);
    expect(t.size).toBe(3);
    expect(t.wait('b', 2)).toBe(0); // evicted
    expect(t.wait('a', 2)).toBe(1999);
    expect(t.wait('c', 2)).toBe(998);
  });
});

describe('LoginThrottle (pure)', () => {
  const config = THROTTLE_TEST_CONFIG;

  it('locks an account on one address first; other addresses keep trying until the account limit', () => {
    const t = new LoginThrottle(config);
    expect(t.attempt('alice', '10.0.0.1', 0)).toBeNull();
    expect(t.attempt('alice', '10.0.0.1', 0)).toBeNull();
    expect(t.attempt('alice', '10.0.0.1', 0)).toBe(1000);
    expect(t.attempt('alice', '10.0.0.2', 0)).toBeNull();
    expect(t.attempt('alice', '10.0.0.3', 0)).toBeNull();
    expect(t.attempt('alice', '10.0.0.4', 0)).toBe(1000); // 4 failures of the account from anywhere
    expect(t.attempt('bob', '10.0.0.4', 0)).toBeNull(); // another account on that address is fine
  });

  it('counts attempts before their outcome, so parallel guesses cannot all slip through', () => {
    const t = new LoginThrottle(config);
    const started = Array.from({ length: 10 }, () => t.attempt('alice', '10.0.0.1', 0));
    expect(started.filter((w) => w === null)).toHaveLength(2);
  });

  it('a success clears the account but gives the address back only its one attempt', () => {
    const t = new LoginThrottle(config);
    for (const account of ['a', 'b', 'c', 'd', 'e']) expect(t.attempt(account, '10.0.0.9', 0)).toBeNull();
    expect(t.attempt('mine', '10.0.0.9', 0)).toBeNull();
    t.succeeded('mine', '10.0.0.9');
    expect(t.attempt('f', '10.0.0.9', 0)).toBeNull(); // 6th counted failure of the address
    expect(t.attempt('g', '10.0.0.9', 0)).toBe(1000); // sprayed guesses are not wiped by a success
    expect(t.sizes).toEqual({ pair: 6, account: 6, address: 1 });
  });

  it('stays within its memory bound under a flood of distinct accounts and addresses', () => {
    const t = new LoginThrottle(config, 50);
    for (let i = 0; i < 1000; i++) t.attempt(`user${i}`, `10.0.${i >> 8}.${i & 255}`, i);
    expect(t.sizes).toEqual({ pair: 50, account: 50, address: 50 });
  });
});

describe('sign-in throttling through the server', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.stop();
  });

  const login = (account: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ account, password, device_id: 'd1' }),
    });

  it('answers RATE_LIMITED with retry_after_ms after repeated failures, without checking the password', async () => {
    let now = Date.now();
    t = await startTestServer({
      now: () => now,
      loginFreeFailuresPerAccountAddress: 2,
      loginDelayBaseMs: 30_000,
    });
    await t.addMerchant('m1');
    await t.addStaff('s1', 'm1');
    await t.addStaff('s2', 'm1');
    for (let i = 0; i < 2; i++) expect((await login('s1', 'wrong')).status).toBe(401);
    const locked = await login('s1', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('30');
    const body = (await locked.json()) as { error: { code: string; retry_after_ms: number; temporary: boolean } };
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: 30_000, temporary: true });
    // Someone else on the same address is not held up.
    expect((await login('s2', TEST_PASSWORD)).status).toBe(200);
    now += 30_000;
    expect((await login('s1', TEST_PASSWORD)).status).toBe(200);
    // The success started the account afresh.
    expect((await login('s1', 'wrong')).status).toBe(401);
    expect((await login('s1', 'wrong')).status).toBe(401);
    expect((await login('s1', 'wrong')).status).toBe(429);
  });

  it('behind a trusted proxy, tells clients apart by X-Forwarded-For', async () => {
    t = await startTestServer({ trustProxy: '127.0.0.1', loginFreeFailuresPerAccountAddress: 1 });
    await t.addMerchant('m1');
    await t.addStaff('s1', 'm1');
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect((await login('s1', 'wrong', from('203.0.113.7'))).status).toBe(401);
    expect((await login('s1', TEST_PASSWORD, from('203.0.113.7'))).status).toBe(429);
    expect((await login('s1', TEST_PASSWORD, from('198.51.100.2'))).status).toBe(200);
  });
});
