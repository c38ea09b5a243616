import type { ServerConfig } from '../config';
import type { InboxTrim } from '../store/types';

/** How often each server (each node of a cluster) trims inboxes, before jitter. */
export const TRIM_INTERVAL_MS = 10 * 60_000;
/** Events deleted per store step (one short transaction on SQLite) and inboxes looked at per step. */
export const TRIM_BATCH_EVENTS = 2_000;
export const TRIM_BATCH_USERS = 1_000;

export type RetentionConfig = Pick<ServerConfig, 'inboxRetentionMs' | 'inboxMaxEvents'>;

/**
 * What one trim run asks of the store at instant `now`; null when retention is off (both limits 0).
 * A limit of 0 means "none" so operators can switch either rule off.
 */
export function trimPlan(config: RetentionConfig, now: number): Omit<InboxTrim, 'from'> | null {
  const olderThan = config.inboxRetentionMs > 0 ? now - config.inboxRetentionMs : null;
  const keepNewest = config.inboxMaxEvents > 0 ? config.inboxMaxEvents : null;
  if (olderThan === null && keepNewest === null) return null;
  return { olderThan, keepNewest, limit: TRIM_BATCH_EVENTS, users: TRIM_BATCH_USERS };
}

/** Refuse retention settings that would trim nonsense (a negative age, a fraction of an event). */
export function checkRetention(config: RetentionConfig): void {
  if (!Number.isFinite(config.inboxRetentionMs) || config.inboxRetentionMs < 0)
    throw new RangeError(`inboxRetentionMs must be ≥ 0 (0 = no age limit), got ${config.inboxRetentionMs}`);
  if (!Number.isInteger(config.inboxMaxEvents) || config.inboxMaxEvents < 0)
    throw new RangeError(`inboxMaxEvents must be an integer ≥ 0 (0 = no count limit), got ${config.inboxMaxEvents}`);
}

/**
 * The retention settings from the environment, for the command line: `IM_INBOX_RETENTION_DAYS`
 * (days, fractions allowed) and `IM_INBOX_MAX_EVENTS`. Unset variables are left out (defaults
 * apply); a malformed one is an error naming it.
 */
export function retentionFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<RetentionConfig> {
  const out: Partial<RetentionConfig> = {};
  const days = env.IM_INBOX_RETENTION_DAYS;
  if (days !== undefined && days.trim() !== '') {
    const n = Number(days);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`bad IM_INBOX_RETENTION_DAYS ${days} (days ≥ 0; 0 = no age limit)`);
    out.inboxRetentionMs = Math.round(n * 24 * 3600_000);
  }
  const max = env.IM_INBOX_MAX_EVENTS;
  if (max !== undefined && max.trim() !== '') {
    const n = Number(max);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`bad IM_INBOX_MAX_EVENTS ${max} (an integer ≥ 0; 0 = no count limit)`);
    out.inboxMaxEvents = n;
  }
  return out;
}
