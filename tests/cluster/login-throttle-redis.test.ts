import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount, startServer, type RunningServer } from '../../src-server';
import { LoginThrottle, type LoginThrottleConfig } from '../../src-server/auth/login-throttle';
import { RedisLoginAttempts } from '../../src-server/auth/redis-login-attempts';
import { TEST_PASSWORD, TEST_PASSWORD_COST } from '../support/test-server';
import { THROTTLE_TEST_CONFIG } from '../support/throttle-config';
import { createTestSchema, type TestSchema } from './support/pg';
import { waitUntil } from './support/ports';
import { OwnRedis, REDIS_URL, testPrefix } from './support/redis-server';

const config = THROTTLE_TEST_CONFIG;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

function keeper(
  prefix: string,
  options: {
    url?: string;
    config?: LoginThrottleConfig;
    nodeId?: string;
    logger?: RedisLoginAttemptsLogger;
    now?: () => number;
  } = {},
): RedisLoginAttempts {
  const k = new RedisLoginAttempts({
    url: options.url ?? REDIS_URL,
    prefix,
    nodeId: options.nodeId ?? 'n',
    config: options.config ?? config,
    logger: options.logger,
    now: options.now,
  });
  open.push(k);
  return k;
}
type RedisLoginAttemptsLogger = ConstructorParameters<typeof RedisLoginAttempts>[0]['logger'];
const ready = (k: RedisLoginAttempts): Promise<void> =>
  waitUntil(() => k.status === 'ready', 3_000, 'sign-in throttle connected');

/** Warnings the keeper logs, as parsed JSON lines. */
function capturingLogger(): {
  logger: NonNullable<RedisLoginAttemptsLogger>;
  warnings: Array<{ msg: string; fallbacks: number }>;
} {
  const warnings: Array<{ msg: string; fallbacks: number }> = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string; fallbacks: number }) },
  );
  return { logger, warnings };
}

/** Deterministic, so a failing sequence can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sign-in throttle in Redis', () => {
  it('two nodes sharing one Redis spend one budget, also when their guesses race', async () => {
    const prefix = testPrefix('signin');
    const a = keeper(prefix, { nodeId: 'a' });
    const b = keeper(prefix, { nodeId: 'b' });
    await Promise.all([ready(a), ready(b)]);
    expect(await a.attempt('alice', '10.0.0.1', 0)).toBeNull();
    expect(await b.attempt('alice', '10.0.0.1', 0)).toBeNull();
    expect(await a.attempt('alice', '10.0.0.1', 0)).toBe(1000); // as one node would answer its third try
    expect(await b.attempt('alice', '10.0.0.1', 0)).toBe(1000);
    expect(await b.attempt('alice', '10.0.0.2', 0)).toBeNull();
    expect(await a.attempt('alice', '10.0.0.3', 0)).toBeNull();
    expect(await b.attempt('alice', '10.0.0.4', 0)).toBe(1000); // the account's 4 free failures, from anywhere
    expect(await a.attempt('bob', '10.0.0.4', 0)).toBeNull();

    // Twenty guesses at once over both nodes: exactly the two free ones go through.
    const started = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).attempt('carol', '10.0.0.9', 0)),
    );
    expect(started.filter((w) => w === null)).toHaveLength(2);

    // A success on one node starts the account afresh for the other.
    await a.succeeded('alice', '10.0.0.1');
    expect(await b.attempt('alice', '10.0.0.1', 0)).toBeNull();
    expect(a.fallbackCount + b.fallbackCount).toBe(0);
  });

  it('answers exactly as the pure policy, over random sequences with the clock jumping past waits and the forget period', async () => {
    const short: LoginThrottleConfig = { ...config, loginDelayMaxMs: 8_000, loginForgetAfterMs: 20_000 };
    const waits = new Set<number>();
    for (const seed of [1, 2, 3, 4]) {
      const random = seeded(seed);
      const redis = keeper(testPrefix('signin-model'), { config: short });
      await ready(redis);
      const model = new LoginThrottle(short);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      let now = 1_700_000_000_000;
      const trace: string[] = [];
      for (let step = 0; step < 400; step++) {
        // -300: the request lands on a node whose clock runs behind the one that counted the last failure.
        now += pick([-300, 0, 0, 1, 250, 999, 1000, 2000, 4000, 8000, 19_999, 20_000]);
        const account = pick(['ann', 'ben']);
        const address = pick(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
        if (random() < 0.08) {
          model.succeeded(account, address);
          await redis.succeeded(account, address);
          trace.push(`ok ${account}@${address}`);
          continue;
        }
        const expected = model.attempt(account, address, now);
        const got = await redis.attempt(account, address, now);
        trace.push(`${now} ${account}@${address} → ${expected}`);
        if (got !== expected)
          throw new Error(
            `seed ${seed}, step ${step}: redis ${got}, policy ${expected}\n${trace.slice(-12).join('\n')}`,
          );
        if (expected !== null) waits.add(expected);
      }
    }
    // The sequences reached the interesting cases: partial countdowns, doubling, and the cap.
    expect(Math.max(...waits)).toBe(8_000);
    expect([...waits].some((w) => w % 1000 !== 0)).toBe(true);
    expect([...waits].filter((w) => w >= 2000).length).toBeGreaterThan(1);
  });

  it('keeps state per key with a TTL of the forget period, so keys expire on their own', async () => {
    const prefix = testPrefix('signin-ttl');
    const k = keeper(prefix, { config: { ...config, loginForgetAfterMs: 300 } });
    await ready(k);
    const admin = new Redis(REDIS_URL);
    open.push({ close: () => admin.quit().then(() => undefined) });
    const now = Date.now();
    for (let i = 0; i < 2; i++) expect(await k.attempt('dora', '10.0.0.5', now)).toBeNull();
    expect(await k.attempt('dora', '10.0.0.5', now)).toBe(1000);
    const keys = (await admin.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([
      `${prefix}signin:account:dora`,
      `${prefix}signin:address:10.0.0.5`,
      `${prefix}signin:pair:dora\n10.0.0.5`,
    ]);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
      expect(await admin.hgetall(key)).toEqual({ f: '2', t: String(now) });
    }
    await waitUntil(async () => (await admin.exists(...keys)) === 0, 2_000, 'keys expired');
  });

  it('a success clears pair and account keys and takes one failure off the address', async () => {
    const prefix = testPrefix('signin-ok');
    const k = keeper(prefix);
    await ready(k);
    const admin = new Redis(REDIS_URL);
    open.push({ close: () => admin.quit().then(() => undefined) });
    for (const account of ['x', 'y', 'me']) await k.attempt(account, '10.0.0.7', 5);
    await k.succeeded('me', '10.0.0.7');
    expect(await admin.exists(`${prefix}signin:pair:me\n10.0.0.7`, `${prefix}signin:account:me`)).toBe(0);
    expect(await admin.hget(`${prefix}signin:address:10.0.0.7`, 'f')).toBe('2');
    expect(await admin.pttl(`${prefix}signin:address:10.0.0.7`)).toBeGreaterThan(0);
  });

  it('with Redis unreachable, throttles on the node alone without throwing, and warns once, not per sign-in', async () => {
    const { logger, warnings } = capturingLogger();
    let clock = 0;
    const k = keeper(testPrefix('signin-down'), { url: 'redis://127.0.0.1:1', logger, now: () => clock });
    expect(await k.attempt('eve', '10.0.0.8', 0)).toBeNull();
    expect(await k.attempt('eve', '10.0.0.8', 0)).toBeNull();
    expect(await k.attempt('eve', '10.0.0.8', 0)).toBe(1000); // the same policy, on this node's record
    await k.succeeded('eve', '10.0.0.8');
    expect(await k.attempt('eve', '10.0.0.8', 0)).toBeNull();
    for (let i = 0; i < 20; i++) await k.attempt(`u${i}`, '10.0.1.1', 0);
    expect(k.fallbackCount).toBe(25);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: expect.stringContaining('sign-in throttling') as unknown, fallbacks: 1 });
    clock += 60_000;
    await k.attempt('eve', '10.0.0.9', 0);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.fallbacks).toBe(25); // everything since the last warning
  });

  it('when Redis goes away mid-way, the node carries on from its own record of the attempts it saw', async () => {
    const redis = await OwnRedis.start();
    open.push({ close: () => redis.stop() });
    const k = keeper(testPrefix('signin-crash'), { url: redis.url });
    await ready(k);
    expect(await k.attempt('fay', '10.0.0.6', 0)).toBeNull();
    expect(await k.attempt('fay', '10.0.0.6', 0)).toBeNull();
    await redis.crash();
    await waitUntil(() => k.status !== 'ready', 3_000, 'connection lost');
    expect(await k.attempt('fay', '10.0.0.6', 0)).toBe(1000); // not a blank slate
    expect(k.fallbackCount).toBe(1);
    // Back again (empty, as after a failover): Redis is asked again.
    await redis.restart();
    await ready(k);
    expect(await k.attempt('fay', '10.0.0.6', 0)).toBeNull();
    expect(k.fallbackCount).toBe(1);
  });
});

describe('sign-in throttle through two cluster nodes', () => {
  let schema: TestSchema | null = null;
  const nodes: RunningServer[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close();
    await schema?.drop();
    schema = null;
  });

  const login = async (
    node: RunningServer,
    account: string,
    password: string,
  ): Promise<{ status: number; code?: string; retry?: number }> => {
    const res = await fetch(`${node.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, password, device_id: 'd1' }),
    });
    const body = (await res.json()) as { error?: { code: string; retry_after_ms?: number } };
    return { status: res.status, code: body.error?.code, retry: body.error?.retry_after_ms };
  };

  /** Wrong passwords until the first RATE_LIMITED, taking the nodes in turn; how many got a 401 first. */
  const failuresBeforeLimit = async (
    over: RunningServer[],
    account: string,
  ): Promise<{ failures: number; retry?: number }> => {
    for (let i = 0; i < 20; i++) {
      const answer = await login(over[i % over.length]!, account, 'wrong');
      if (answer.code === 'RATE_LIMITED') return { failures: i, retry: answer.retry };
      expect(answer).toMatchObject({ status: 401, code: 'BAD_CREDENTIALS' });
    }
    throw new Error('never rate limited');
  };

  it('wrong passwords spread over two nodes are refused at the same count as on one node', async () => {
    schema = await createTestSchema('signin');
    const prefix = testPrefix('signin-nodes');
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startServer({
          dataDir: '',
          logger: false,
          loginFreeFailuresPerAccountAddress: 3,
          loginDelayBaseMs: 30_000,
          cluster: {
            dbUrl: schema.url,
            redisUrl: REDIS_URL,
            redisPrefix: prefix,
            nodeId: `signin-${i}`,
            dbPoolSize: 2,
          },
        }),
      );
    }
    const [a, b] = nodes as [RunningServer, RunningServer];
    await a.store.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, Date.now());
    for (const account of ['solo', 'spread']) {
      await createAccount(
        a.store,
        { account, password: TEST_PASSWORD, role: 'staff', merchant_id: 'm1', display_name: account },
        { cost: TEST_PASSWORD_COST },
      );
    }
    for (const node of nodes) {
      await waitUntil(
        async () =>
          ((await (await fetch(`${node.url}/healthz`)).json()) as { redis: { sign_in: string } }).redis.sign_in ===
          'ready',
        5_000,
        'sign-in throttle on redis',
      );
    }

    const alone = await failuresBeforeLimit([a], 'solo');
    const spread = await failuresBeforeLimit([a, b], 'spread');
    expect(alone.failures).toBe(3);
    expect(spread.failures).toBe(alone.failures);
    expect(spread.retry).toBeGreaterThan(29_000);
    expect(spread.retry).toBeLessThanOrEqual(30_000);
    // The lock holds on both nodes, for the right password too.
    expect((await login(a, 'spread', TEST_PASSWORD)).code).toBe('RATE_LIMITED');
    expect((await login(b, 'spread', TEST_PASSWORD)).code).toBe('RATE_LIMITED');
    const health = (await (await fetch(`${b.url}/healthz`)).json()) as {
      redis: { ok: boolean; sign_in_fallbacks: number };
    };
    expect(health.redis.sign_in_fallbacks).toBe(0);
  });
});
