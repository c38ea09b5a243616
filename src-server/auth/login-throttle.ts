/**
 * Brute-force throttling of sign-in, pure: the caller passes the clock, so tests are exact.
 *
 * Every attempt counts as a failure until it succeeds (so a burst of parallel guesses is counted
 * before the slow password checks finish). After `freeFailures` failures in a row a key must wait
 * `baseDelayMs`, then twice that after each further failure (at most `maxDelayMs`), counted from
 * its last failure, before its next attempt; attempts refused meanwhile are not counted, so a lock never grows by itself. A
 * key's count is forgotten `forgetAfterMs` after its last failure. Memory is bounded: each rule
 * keeps at most `maxKeys` keys and forgets the least recently failed first.
 */
export interface ThrottleRule {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

/** What a rule remembers of one key: failures in a row, and when the last one was. */
export interface FailureRecord {
  failures: number;
  last: number;
}

/**
 * How long a key with `record` must still wait at `now` (0: it may try now). The one formula of the
 * policy: the in-memory keeper uses it, and the Redis script (redis-login-attempts.ts) mirrors it
 * line for line, with a test that both answer alike. The wait never exceeds the delay itself, so a
 * node whose clock runs behind the one that recorded `last` cannot lock anyone out for longer.
 */
export function failureWait(rule: ThrottleRule, record: FailureRecord | null, now: number): number {
  const beyond = (record?.failures ?? 0) - rule.freeFailures;
  if (!record || beyond < 0) return 0;
  const delay = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** beyond);
  return Math.max(0, Math.min(delay, record.last + delay - now));
}

/** Whether `record` is forgotten at `now`: its last failure is `forgetAfterMs` old. */
export function isForgotten(rule: ThrottleRule, record: FailureRecord, now: number): boolean {
  return now - record.last >= rule.forgetAfterMs;
}

export class FailureThrottle {
  /** Map order is the order of last failure, oldest first: eviction takes the first key. */
  private readonly entries = new Map<string, FailureRecord>();

  constructor(
    private readonly rule: ThrottleRule,
    private readonly maxKeys: number,
  ) {}

  /** How long `key` must still wait before its next attempt (0: it may try now). */
  wait(key: string, now: number): number {
    return failureWait(this.rule, this.live(key, now), now);
  }

  fail(key: string, now: number): void {
    const failures = (this.live(key, now)?.failures ?? 0) + 1;
    this.entries.delete(key);
    this.entries.set(key, { failures, last: now });
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Take back one failure (an attempt counted in advance turned out to succeed). */
  forgive(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.failures > 1) entry.failures -= 1;
    else this.entries.delete(key);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): FailureRecord | null {
    const entry = this.entries.get(key);
    if (entry && isForgotten(this.rule, entry, now)) {
      this.entries.delete(key);
      return null;
    }
    return entry ?? null;
  }
}

export interface LoginThrottleConfig {
  /** Failures of one account from one address before delays start (the common case: a forgotten password). */
  loginFreeFailuresPerAccountAddress: number;
  /** Failures of one account from anywhere (guessing one password from many addresses). */
  loginFreeFailuresPerAccount: number;
  /** Failures from one address over all accounts (password spraying). Offices and mobile carriers share addresses. */
  loginFreeFailuresPerAddress: number;
  loginDelayBaseMs: number;
  loginDelayMaxMs: number;
  loginForgetAfterMs: number;
}

export type LoginKeyKind = 'pair' | 'account' | 'address';

/** The three rules of sign-in: same delays, different numbers of free failures. */
export function loginRules(config: LoginThrottleConfig): Record<LoginKeyKind, ThrottleRule> {
  const rule = (freeFailures: number): ThrottleRule => ({
    freeFailures,
    baseDelayMs: config.loginDelayBaseMs,
    maxDelayMs: config.loginDelayMaxMs,
    forgetAfterMs: config.loginForgetAfterMs,
  });
  return {
    pair: rule(config.loginFreeFailuresPerAccountAddress),
    account: rule(config.loginFreeFailuresPerAccount),
    address: rule(config.loginFreeFailuresPerAddress),
  };
}

/** An address never holds a newline, so the pair key cannot be forged from another account's name. */
export function loginKeys(account: string, address: string): Record<LoginKeyKind, string> {
  return { pair: `${account}\n${address}`, account, address };
}

/**
 * Sign-in throttling over three keys. The tight one is (account, address), so an attacker
 * elsewhere cannot lock a member of staff out of their own desk; the per-account and per-address
 * keys are looser and catch guessing spread over addresses or over accounts.
 */
export class LoginThrottle {
  private readonly pair: FailureThrottle;
  private readonly account: FailureThrottle;
  private readonly address: FailureThrottle;

  constructor(config: LoginThrottleConfig, maxKeys = 10_000) {
    const rules = loginRules(config);
    this.pair = new FailureThrottle(rules.pair, maxKeys);
    this.account = new FailureThrottle(rules.account, maxKeys);
    this.address = new FailureThrottle(rules.address, maxKeys);
  }

  /**
   * Before checking a password: null when the attempt may go ahead (it is then counted as a
   * failure until `succeeded`), else how many ms to wait (the attempt is not counted).
   */
  attempt(account: string, address: string, now: number): number | null {
    const keys = loginKeys(account, address);
    const wait = Math.max(
      this.pair.wait(keys.pair, now),
      this.account.wait(keys.account, now),
      this.address.wait(keys.address, now),
    );
    if (wait > 0) return wait;
    this.pair.fail(keys.pair, now);
    this.account.fail(keys.account, now);
    this.address.fail(keys.address, now);
    return null;
  }

  /**
   * The password was right: the account starts afresh. The address only gets its one attempt
   * back, so someone with one valid account cannot wipe their address's record of sprayed guesses.
   */
  succeeded(account: string, address: string): void {
    const keys = loginKeys(account, address);
    this.pair.clear(keys.pair);
    this.account.clear(keys.account);
    this.address.forgive(keys.address);
  }

  /** Keys tracked per rule (for tests of the memory bound). */
  get sizes(): { pair: number; account: number; address: number } {
    return { pair: this.pair.size, account: this.account.size, address: this.address.size };
  }
}
