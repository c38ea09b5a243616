import type { Redis } from 'ioredis';
import { closeRedis, openRedis } from '../hub/redis-connection';
import type { Logger } from '../logger';
import type { LoginAttempts } from './login-attempts';
import { LoginThrottle, loginKeys, loginRules, type LoginThrottleConfig } from './login-throttle';

export interface RedisLoginAttemptsOptions {
  url: string;
  prefix: string;
  nodeId: string;
  config: LoginThrottleConfig;
  logger?: Logger;
  /** Clock of the fallback warning only; the policy runs on the `now` each attempt brings. */
  now?: () => number;
  /** While Redis stays away, one warning per this many ms, not one per sign-in. Default 60 s. */
  warnEveryMs?: number;
}

/**
 * One hash per throttled key, `f` failures in a row and `t` the ms of the last one, under
 * `<prefix>signin:{pair|account|address}:<key>`. Each failure sets the key's TTL to the forget
 * period, so Redis drops it exactly when the policy would forget it.
 *
 * The script is `LoginThrottle.attempt` for the three keys at once, so two nodes cannot both let
 * the last free attempt through; its arithmetic mirrors `failureWait` and `isForgotten`
 * (login-throttle.ts), and a test plays the same sequences through both. ARGV: now, base delay,
 * max delay, forget period, then the free failures of pair, account and address. Returns the wait
 * in ms, 0 when the attempt was counted and may go ahead.
 */
const ATTEMPT = `
local now = tonumber(ARGV[1])
local base, cap, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local longest = 0
for i = 1, 3 do
  local record = redis.call('HMGET', KEYS[i], 'f', 't')
  local failures, last = tonumber(record[1]), tonumber(record[2])
  if failures and last and now - last >= forget then
    redis.call('DEL', KEYS[i])
  elseif failures and last then
    local beyond = failures - tonumber(ARGV[4 + i])
    if beyond >= 0 then
      local delay = math.min(cap, base * 2 ^ beyond)
      local wait = math.min(delay, last + delay - now)
      if wait > longest then longest = wait end
    end
  end
end
if longest > 0 then return longest end
for i = 1, 3 do
  redis.call('HINCRBY', KEYS[i], 'f', 1)
  redis.call('HSET', KEYS[i], 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[i], forget)
end
return 0`;

/** `LoginThrottle.succeeded`: pair and account start afresh, the address gets one failure back. */
const SUCCEEDED = `
redis.call('DEL', KEYS[1], KEYS[2])
local failures = tonumber(redis.call('HGET', KEYS[3], 'f'))
if failures and failures > 1 then redis.call('HINCRBY', KEYS[3], 'f', -1) else redis.call('DEL', KEYS[3]) end
return 1`;

type Scripted = Redis & {
  imSigninAttempt(pair: string, account: string, address: string, ...args: Array<string | number>): Promise<number>;
  imSigninSucceeded(pair: string, account: string, address: string): Promise<number>;
};

/**
 * The sign-in throttle of a cluster: one budget per account, address and pair, however the
 * balancer spreads the guesses over the nodes.
 *
 * While Redis cannot be asked the node throttles on its own record, which it keeps of every
 * attempt it handles: sign-in neither fails for everyone nor opens up, and the limits hold per
 * node, as they did before the cluster shared them.
 */
export class RedisLoginAttempts implements LoginAttempts {
  private readonly redis: Scripted;
  private readonly local: LoginThrottle;
  private readonly policy: string[];
  private readonly now: () => number;
  private readonly warnEveryMs: number;
  private fallbacks = 0;
  private unwarned = 0;
  private lastWarning = -Infinity;

  constructor(private readonly options: RedisLoginAttemptsOptions) {
    this.now = options.now ?? Date.now;
    this.warnEveryMs = options.warnEveryMs ?? 60_000;
    this.local = new LoginThrottle(options.config);
    const rules = loginRules(options.config);
    const { pair } = rules;
    this.policy = [
      pair.baseDelayMs,
      pair.maxDelayMs,
      pair.forgetAfterMs,
      pair.freeFailures,
      rules.account.freeFailures,
      rules.address.freeFailures,
    ].map(String);
    const redis = openRedis('command', {
      url: options.url,
      name: `im-signin-${options.nodeId}`,
      logger: options.logger,
    });
    redis.defineCommand('imSigninAttempt', { numberOfKeys: 3, lua: ATTEMPT });
    redis.defineCommand('imSigninSucceeded', { numberOfKeys: 3, lua: SUCCEEDED });
    this.redis = redis as Scripted;
  }

  async attempt(account: string, address: string, now: number): Promise<number | null> {
    const k = this.keys(account, address);
    let wait: number;
    try {
      wait = await this.redis.imSigninAttempt(k.pair, k.account, k.address, String(now), ...this.policy);
    } catch (err) {
      this.fellBack(err, 'attempt');
      return this.local.attempt(account, address, now);
    }
    if (wait > 0) return wait;
    // Counted in Redis; the node's own record follows, so an outage does not start it from nothing.
    this.local.attempt(account, address, now);
    return null;
  }

  async succeeded(account: string, address: string): Promise<void> {
    this.local.succeeded(account, address);
    const k = this.keys(account, address);
    try {
      await this.redis.imSigninSucceeded(k.pair, k.account, k.address);
    } catch (err) {
      // The attempt stays counted in Redis: one failure more, forgotten with the rest.
      this.fellBack(err, 'success');
    }
  }

  /** Sign-in steps answered from this node's record because Redis could not be asked. */
  get fallbackCount(): number {
    return this.fallbacks;
  }

  get status(): string {
    return this.redis.status;
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private keys(account: string, address: string): { pair: string; account: string; address: string } {
    const p = `${this.options.prefix}signin:`;
    const k = loginKeys(account, address);
    return { pair: `${p}pair:${k.pair}`, account: `${p}account:${k.account}`, address: `${p}address:${k.address}` };
  }

  private fellBack(err: unknown, step: 'attempt' | 'success'): void {
    this.fallbacks++;
    this.unwarned++;
    const now = this.now();
    if (now - this.lastWarning < this.warnEveryMs) return;
    this.options.logger?.warn(
      { err, step, fallbacks: this.unwarned },
      'redis unavailable for sign-in throttling; throttling on this node alone',
    );
    this.lastWarning = now;
    this.unwarned = 0;
  }
}
