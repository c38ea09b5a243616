import { CLOSE_CODES, ERROR_CODES, type ErrorCode } from '../../src-shared/protocol';
import type { IpcErrorShape } from '../../src-shared/ipc';
import type { ReconnectConfig } from '../core/config';
import { uniform, type Random } from '../ports/random';

/**
 * Reconnection policy (seed 3.3) as a pure function of the attempt history, the clock's `now`
 * and a random source. The channel feeds it what happened and schedules exactly what it says.
 */

/** Why a connection attempt failed or a live connection ended. `close_code` only for WebSocket closes. */
export interface ConnectFailure extends IpcErrorShape {
  close_code?: number | null;
}

export interface ReconnectHistory {
  /** Consecutive failed attempts (or connections that died before becoming stable). */
  errors: number;
  /** The last backoff delay chosen, which decorrelated jitter grows from. */
  lastDelayMs: number | null;
}

export const FRESH_HISTORY: ReconnectHistory = { errors: 0, lastDelayMs: null };

export type ReconnectCause =
  | { kind: 'failure'; failure: ConnectFailure }
  /** The OS reported the network back, or the machine woke up. */
  | { kind: 'network_returned' }
  | { kind: 'resume' };

export type ReconnectDecision =
  | { action: 'retry'; delayMs: number; retryAt: number; history: ReconnectHistory; reason: string }
  /** The network is down: make no attempt until it returns. */
  | { action: 'wait_for_network'; history: ReconnectHistory }
  /** The token expired: refresh it, then reconnect at once. */
  | { action: 'refresh_token'; history: ReconnectHistory }
  /** Retrying cannot help (bad credentials, disabled account, wrong protocol): stop and say why. */
  | { action: 'stop'; failure: ConnectFailure };

export interface ReconnectInput {
  history: ReconnectHistory;
  cause: ReconnectCause;
  networkOnline: boolean;
  now: number;
  random: Random;
  config: ReconnectConfig;
}

const STOP_CLOSE_CODES: ReadonlySet<number> = new Set(
  Object.values(CLOSE_CODES)
    .filter((c) => !c.reconnect && c.code !== CLOSE_CODES.NORMAL.code)
    .map((c) => c.code),
);

/** Codes after which no retry can succeed without the user: the registry's terminal codes plus an unusable token. */
export function isStopFailure(f: ConnectFailure): boolean {
  if (f.close_code != null && STOP_CLOSE_CODES.has(f.close_code)) return true;
  if (f.code === 'UNAUTHENTICATED' || f.code === 'NOT_SIGNED_IN') return true;
  return f.code in ERROR_CODES && ERROR_CODES[f.code as ErrorCode].terminal;
}

export function isTokenExpiry(f: ConnectFailure): boolean {
  return f.code === 'TOKEN_EXPIRED' || f.close_code === CLOSE_CODES.TOKEN_EXPIRED.code;
}

export function decideReconnect(input: ReconnectInput): ReconnectDecision {
  const { history, cause, networkOnline, now, random, config } = input;

  if (cause.kind === 'failure') {
    if (isStopFailure(cause.failure)) return { action: 'stop', failure: cause.failure };
    if (isTokenExpiry(cause.failure)) return { action: 'refresh_token', history };
  }
  if (!networkOnline) return { action: 'wait_for_network', history };

  if (cause.kind !== 'failure') {
    // Back from no network or sleep: the server was not at fault, so come back promptly,
    // with a little randomness so a whole office waking at 9:00 does not arrive in one burst.
    const delayMs = Math.floor(uniform(random, config.promptMinMs, config.promptMaxMs));
    return { action: 'retry', delayMs, retryAt: now + delayMs, history, reason: cause.kind };
  }

  const errors = history.errors + 1;
  const drain = cause.failure.retry_after_ms;
  let delayMs: number;
  let reason: string;
  if (drain != null && drain >= 0) {
    // The server told us when (a drain spreads its clients over a window itself).
    delayMs = drain;
    reason = 'server_hint';
  } else if (errors <= config.fastPhaseErrors) {
    delayMs = Math.floor(uniform(random, config.fastMinMs, config.fastMaxMs));
    reason = 'fast_phase';
  } else {
    // Decorrelated jitter with the cap applied to the range, not to the draw: at the cap the
    // delay is still uniform over [base, cap), so clients that all hit the cap stay spread out.
    const previous = Math.max(history.lastDelayMs ?? config.backoffBaseMs, config.backoffBaseMs);
    const upper = Math.max(
      config.backoffBaseMs + 1,
      Math.min(config.backoffCapMs, previous * config.backoffMultiplier),
    );
    delayMs = Math.floor(uniform(random, config.backoffBaseMs, upper));
    reason = 'backoff';
  }
  return { action: 'retry', delayMs, retryAt: now + delayMs, history: { errors, lastDelayMs: delayMs }, reason };
}

/** After a connection has been online for `stableAfterMs` the error streak is forgotten. */
export function historyAfterOnline(
  history: ReconnectHistory,
  onlineForMs: number,
  config: ReconnectConfig,
): ReconnectHistory {
  return onlineForMs >= config.stableAfterMs ? FRESH_HISTORY : history;
}
