/**
 * Which database failures a retry may fix, and how long to wait before the next attempt. Pure.
 *
 * Retrying a whole transaction is safe for the Store's writes that matter: a send is idempotent on
 * (sender, device, random_id), read pointers only move forward, status/assignment writes compare
 * before they change. That matters for the one ambiguous case, a connection lost while COMMIT was in
 * flight: the retry finds the committed row and answers with the original acknowledgement. (A new
 * quick reply has no client key, so in that case it could be saved twice — a visible, harmless copy.)
 */

/** SQLSTATE codes a fresh attempt may get past. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown (server restart, pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '57014', // query_canceled (statement_timeout)
]);

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /terminating connection/i,
];

/** Thrown inside a transaction to start it over (e.g. it lost a race it can only see after rolling back). */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

export function isTransient(err: unknown): boolean {
  if (err instanceof RetryTransaction) return true;
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  // Class 08: connection exceptions.
  if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return TRANSIENT_MESSAGES.some((re) => re.test(message));
}

/** The connection itself is suspect: give it back to the pool to be destroyed, not reused. */
export function isConnectionBroken(err: unknown): boolean {
  if (!isTransient(err) || err instanceof RetryTransaction) return false;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  return !['40001', '40P01', '55P03', '53300', '53400'].includes(code);
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 50, maxDelayMs: 1_000 };

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential with full jitter, so nodes
 * that lost the database together do not come back in step. A lost race retries at once.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, err: unknown, random: () => number): number {
  if (err instanceof RetryTransaction) return 0;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(cap / 2 + (random() * cap) / 2);
}
