import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src-shared/protocol';
import { DEFAULT_CONFIG } from '../../src-main/core/config';
import { errorShape } from '../../src-main/core/errors';
import {
  FRESH_HISTORY,
  decideReconnect,
  historyAfterOnline,
  type ConnectFailure,
  type ReconnectDecision,
  type ReconnectHistory,
} from '../../src-main/channel/reconnect-policy';
import { seededRandom } from '../../src-main/ports/random';

const config = DEFAULT_CONFIG.reconnect;
const NOW = 1_700_000_000_000;
const network: ConnectFailure = errorShape('NETWORK', 'ECONNREFUSED');

function retry(d: ReconnectDecision): Extract<ReconnectDecision, { action: 'retry' }> {
  if (d.action !== 'retry') throw new Error(`expected retry, got ${d.action}`);
  return d;
}

/** Drive one client through `n` consecutive failures; returns each delay. */
function failures(n: number, seed: number, failure: ConnectFailure = network): number[] {
  const random = seededRandom(seed);
  let history: ReconnectHistory = FRESH_HISTORY;
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = retry(
      decideReconnect({ history, cause: { kind: 'failure', failure }, networkOnline: true, now: NOW, random, config }),
    );
    delays.push(d.delayMs);
    history = d.history;
  }
  return delays;
}

describe('reconnection policy (seed 3.3)', () => {
  it('waits a uniformly random 5–20 s for the first five consecutive errors, exactly as the random source says', () => {
    const random = seededRandom(7);
    const expected = Array.from({ length: 5 }, () => Math.floor(5_000 + random() * 15_000));
    expect(failures(5, 7)).toEqual(expected);
    for (const d of failures(5, 7)) expect(d >= 5_000 && d < 20_000).toBe(true);
  });

  it('backs off with decorrelated jitter beyond five errors, up to and spread under the cap', () => {
    const delays = failures(40, 3).slice(5);
    let previous = failures(5, 3)[4]!;
    for (const d of delays) {
      const upper = Math.min(config.backoffCapMs, Math.max(previous, config.backoffBaseMs) * config.backoffMultiplier);
      expect(d).toBeGreaterThanOrEqual(config.backoffBaseMs);
      expect(d).toBeLessThan(upper);
      previous = d;
    }
    expect(Math.max(...delays)).toBeLessThan(config.backoffCapMs);
    // Mean well above the fast phase's 12.5 s: it really is a longer backoff.
    expect(delays.reduce((a, b) => a + b, 0) / delays.length).toBeGreaterThan(40_000);
  });

  it('makes no attempt while the network is down, then comes back promptly with a small random delay', () => {
    const random = seededRandom(1);
    const history: ReconnectHistory = { errors: 9, lastDelayMs: 250_000 };
    const down = decideReconnect({
      history,
      cause: { kind: 'failure', failure: network },
      networkOnline: false,
      now: NOW,
      random,
      config,
    });
    expect(down).toEqual({ action: 'wait_for_network', history });
    for (const kind of ['network_returned', 'resume'] as const) {
      const back = retry(decideReconnect({ history, cause: { kind }, networkOnline: true, now: NOW, random, config }));
      expect(back.delayMs).toBeGreaterThanOrEqual(config.promptMinMs);
      expect(back.delayMs).toBeLessThan(config.promptMaxMs);
      expect(back.retryAt).toBe(NOW + back.delayMs);
    }
    // Waking with the network still down makes no attempt either.
    expect(
      decideReconnect({ history, cause: { kind: 'resume' }, networkOnline: false, now: NOW, random, config }).action,
    ).toBe('wait_for_network');
  });

  it("honours the server's drain hint exactly", () => {
    const drain = errorShape('SERVER_DRAINING', 'restarting', 7_300);
    const d = retry(
      decideReconnect({
        history: FRESH_HISTORY,
        cause: { kind: 'failure', failure: drain },
        networkOnline: true,
        now: NOW,
        random: seededRandom(1),
        config,
      }),
    );
    expect(d.delayMs).toBe(7_300);
    expect(d.reason).toBe('server_hint');
  });

  it.each([
    ['BAD_CREDENTIALS', null],
    ['ACCOUNT_DISABLED', null],
    ['PROTOCOL_VERSION', null],
    ['UNAUTHENTICATED', null],
    ['NETWORK', CLOSE_CODES.UNAUTHENTICATED.code],
    ['NETWORK', CLOSE_CODES.ACCOUNT_DISABLED.code],
    ['NETWORK', CLOSE_CODES.PROTOCOL_VERSION.code],
  ] as const)('stops on %s (close %s) and says why', (code, closeCode) => {
    const failure: ConnectFailure = { ...errorShape(code, 'no'), close_code: closeCode };
    const d = decideReconnect({
      history: FRESH_HISTORY,
      cause: { kind: 'failure', failure },
      networkOnline: true,
      now: NOW,
      random: seededRandom(1),
      config,
    });
    expect(d).toEqual({ action: 'stop', failure });
  });

  it('refreshes the token on TOKEN_EXPIRED (error or close 4002) instead of backing off', () => {
    for (const failure of [
      errorShape('TOKEN_EXPIRED', 'old'),
      { ...errorShape('NETWORK', 'closed'), close_code: CLOSE_CODES.TOKEN_EXPIRED.code },
    ]) {
      const d = decideReconnect({
        history: FRESH_HISTORY,
        cause: { kind: 'failure', failure },
        networkOnline: true,
        now: NOW,
        random: seededRandom(1),
        config,
      });
      expect(d.action).toBe('refresh_token');
    }
  });

  it('forgets the error streak only after a stable connection', () => {
    const h: ReconnectHistory = { errors: 8, lastDelayMs: 90_000 };
    expect(historyAfterOnline(h, config.stableAfterMs - 1, config)).toBe(h);
    expect(historyAfterOnline(h, config.stableAfterMs, config)).toEqual(FRESH_HISTORY);
  });

  it('every number is configurable', () => {
    const custom = {
      ...config,
      fastPhaseErrors: 1,
      fastMinMs: 10,
      fastMaxMs: 11,
      backoffBaseMs: 100,
      backoffCapMs: 200,
    };
    const random = seededRandom(5);
    const a = retry(
      decideReconnect({
        history: FRESH_HISTORY,
        cause: { kind: 'failure', failure: network },
        networkOnline: true,
        now: NOW,
        random,
        config: custom,
      }),
    );
    expect(a.delayMs).toBe(10);
    const b = retry(
      decideReconnect({
        history: a.history,
        cause: { kind: 'failure', failure: network },
        networkOnline: true,
        now: NOW,
        random,
        config: custom,
      }),
    );
    expect(b.delayMs >= 100 && b.delayMs < 200).toBe(true);
  });
});

describe('10,000 simulated clients after one server outage', () => {
  const CLIENTS = 10_000;
  /** Attempt times of every client while the server stays down for `outageMs`, all having lost it at t=0. */
  function attempts(
    nextDelay: (
      client: number,
      attempt: number,
      history: ReconnectHistory,
    ) => { delayMs: number; history: ReconnectHistory },
    outageMs: number,
  ): number[] {
    const times: number[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      let t = 0;
      let history = FRESH_HISTORY;
      for (let k = 0; ; k++) {
        const next = nextDelay(c, k, history);
        t += next.delayMs;
        history = next.history;
        if (t > outageMs) break;
        times.push(t);
      }
    }
    return times;
  }

  function busiestSecond(times: number[]): number {
    const buckets = new Map<number, number>();
    for (const t of times) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
    return Math.max(...buckets.values());
  }

  it('keeps reconnect attempts spread out, also after hitting the cap', () => {
    const random = seededRandom(2024);
    const ours = attempts((_c, _k, history) => {
      const d = retry(
        decideReconnect({
          history,
          cause: { kind: 'failure', failure: network },
          networkOnline: true,
          now: NOW,
          random,
          config,
        }),
      );
      return { delayMs: d.delayMs, history: d.history };
    }, 3 * 3600_000);
    // The first rounds are uniform over a 15 s window (≈7% of clients per second); rounds then blur together.
    expect(busiestSecond(ours)).toBeLessThan(CLIENTS * 0.15);
    // Late in the outage everyone is at the cap: still spread, under 1.5% of clients in any second.
    expect(busiestSecond(ours.filter((t) => t > 2 * 3600_000))).toBeLessThan(CLIENTS * 0.015);

    // The same measure flags a policy without jitter: every client in the same second.
    const plain = attempts(
      (_c, k, history) => ({ delayMs: Math.min(config.backoffCapMs, 5_000 * 2 ** k), history }),
      3 * 3600_000,
    );
    expect(busiestSecond(plain)).toBe(CLIENTS);
  });

  it('jitter survives the cap: capped delays stay random (jitter-then-cap would make them all equal)', () => {
    const random = seededRandom(11);
    let history = FRESH_HISTORY;
    const capped: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const d = retry(
        decideReconnect({
          history,
          cause: { kind: 'failure', failure: network },
          networkOnline: true,
          now: NOW,
          random,
          config,
        }),
      );
      history = d.history;
      if (i > 50) capped.push(d.delayMs);
    }
    const mean = capped.reduce((a, b) => a + b, 0) / capped.length;
    const sd = Math.sqrt(capped.reduce((a, b) => a + (b - mean) ** 2, 0) / capped.length);
    expect(sd).toBeGreaterThan(50_000);
    expect(new Set(capped).size).toBeGreaterThan(capped.length * 0.9);
    const jitterThenCap = capped.map((d) => Math.min(config.backoffCapMs, d * 4));
    expect(new Set(jitterThenCap).size).toBeLessThan(capped.length * 0.9);
  });

  it('after a network return the whole office comes back within the prompt window, not in one instant', () => {
    const random = seededRandom(99);
    const delays = Array.from(
      { length: CLIENTS },
      () =>
        retry(
          decideReconnect({
            history: FRESH_HISTORY,
            cause: { kind: 'network_returned' },
            networkOnline: true,
            now: NOW,
            random,
            config,
          }),
        ).delayMs,
    );
    const per100ms = new Map<number, number>();
    for (const d of delays) per100ms.set(Math.floor(d / 100), (per100ms.get(Math.floor(d / 100)) ?? 0) + 1);
    expect(Math.max(...delays)).toBeLessThan(config.promptMaxMs);
    expect(Math.max(...per100ms.values())).toBeLessThan(CLIENTS * 0.08);
  });
});
