import type { ManagedConfig } from './managed-config';
import { uniform, type Random } from '../ports/random';

/**
 * Auto-update from a generic HTTPS feed that IT hosts (electron-updater reads
 * `<url>/<channel>.yml` there; the `stagingPercentage` in that file is the staged rollout).
 * No feed URL configured and none built in means no updates — never a guess.
 */
export type UpdatePlan =
  | { enabled: false; reason: string }
  | { enabled: true; feed: { provider: 'generic'; url: string; channel: string }; allowPrerelease: boolean };

export function updatePlan(
  config: Pick<ManagedConfig, 'auto_update' | 'update_url' | 'update_channel'>,
  facts: { packaged: boolean; builtInFeedUrl: string | null },
): UpdatePlan {
  if (!config.auto_update.value)
    return { enabled: false, reason: `auto-update disabled by ${config.auto_update.source}` };
  if (!facts.packaged) return { enabled: false, reason: 'not a packaged build' };
  const url = config.update_url.value ?? facts.builtInFeedUrl;
  if (!url) return { enabled: false, reason: 'no update URL configured' };
  const channel = config.update_channel.value;
  return { enabled: true, feed: { provider: 'generic', url, channel }, allowPrerelease: channel !== 'latest' };
}

export const UPDATE_CHECK = {
  /** Let the app settle (sign in, sync) before the first check. */
  firstDelayMs: 60_000,
  everyMs: 4 * 60 * 60 * 1000,
  /** Spread checks so a fleet started at 9:00 does not hit the feed at once. */
  jitterMs: 30 * 60 * 1000,
} as const;

export function nextUpdateCheckDelay(first: boolean, random: Random): number {
  const base = first ? UPDATE_CHECK.firstDelayMs : UPDATE_CHECK.everyMs;
  return Math.round(base + uniform(random, 0, first ? UPDATE_CHECK.firstDelayMs : UPDATE_CHECK.jitterMs));
}
