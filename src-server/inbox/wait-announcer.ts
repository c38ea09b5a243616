import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ServerConfig } from '../config';
import { PeriodicRun, jitteredDelay } from '../jobs/periodic-run';
import type { Hub } from '../hub/types';
import type { Logger } from '../logger';
import type { Store } from '../store/types';

/** Lines per store step (one short transaction on SQLite: these lines and their colleagues' events). */
export const ANNOUNCE_BATCH_LINES = 50;
/**
 * Steps per run at most. A backlog beyond `batch × steps` (say after an upgrade, or a long outage of
 * every node) goes out over the next runs instead of in one burst.
 */
export const ANNOUNCE_MAX_STEPS = 20;

export type WaitAnnounceConfig = Pick<ServerConfig, 'waitAnnounceAfterMs' | 'waitAnnounceIntervalMs'>;

/** Waits that started at or before this instant are long at `now`; null when announcing is off. */
export function announceCutoff(config: WaitAnnounceConfig, now: number): number | null {
  return config.waitAnnounceAfterMs > 0 ? now - config.waitAnnounceAfterMs : null;
}

/** Refuse settings that would announce nonsense or spin. */
export function checkWaitAnnounce(config: WaitAnnounceConfig): void {
  if (!Number.isFinite(config.waitAnnounceAfterMs) || config.waitAnnounceAfterMs < 0)
    throw new RangeError(`waitAnnounceAfterMs must be ≥ 0 (0 = never), got ${config.waitAnnounceAfterMs}`);
  if (!Number.isFinite(config.waitAnnounceIntervalMs) || config.waitAnnounceIntervalMs < 1)
    throw new RangeError(`waitAnnounceIntervalMs must be ≥ 1, got ${config.waitAnnounceIntervalMs}`);
}

/**
 * The threshold from the environment, for the command line: `IM_WAIT_ANNOUNCE_AFTER_S` (seconds,
 * 0 = never announce). Unset leaves the default; a malformed value is an error naming it.
 */
export function waitAnnounceFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<WaitAnnounceConfig> {
  const raw = env.IM_WAIT_ANNOUNCE_AFTER_S;
  if (raw === undefined || raw.trim() === '') return {};
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`bad IM_WAIT_ANNOUNCE_AFTER_S ${raw} (seconds ≥ 0; 0 = never announce)`);
  return { waitAnnounceAfterMs: Math.round(seconds * 1000) };
}

export interface WaitAnnouncerOptions {
  store: Pick<Store, 'announceWaits'>;
  hub: Pick<Hub, 'publishInbox'>;
  config: WaitAnnounceConfig;
  now: () => number;
  random: () => number;
  logger: Logger;
  /** Default ANNOUNCE_BATCH_LINES. */
  batch?: number;
}

/**
 * Tells colleagues about customers who have waited long on someone else's line: every ~15 s
 * (jittered) one run announces, in bounded store steps, each wait that went past the threshold
 * and wakes the recipients through the hub. Every server runs one, every node of a cluster too:
 * the store announces each wait once however many nodes run at once. A failed run is logged and
 * the next one picks up whatever is still unannounced.
 */
export class WaitAnnouncer {
  private readonly job: PeriodicRun<number>;
  /** Counters for diagnostics and tests. */
  readonly stats = { runs: 0, announced: 0, failures: 0 };

  constructor(private readonly options: WaitAnnouncerOptions) {
    checkWaitAnnounce(options.config);
    this.job = new PeriodicRun(
      () => this.pass(),
      () => jitteredDelay(options.random, options.config.waitAnnounceIntervalMs),
    );
  }

  /** Schedule runs; does nothing when announcing is off. */
  start(): void {
    if (announceCutoff(this.options.config, 0) !== null) this.job.start();
  }

  close(): Promise<void> {
    return this.job.close();
  }

  /** One whole run now (or join the one in progress); resolves with the number of waits announced. */
  run(): Promise<number> {
    return this.job.run();
  }

  private async pass(): Promise<number> {
    const { store, hub, config, now, logger } = this.options;
    const batch = this.options.batch ?? ANNOUNCE_BATCH_LINES;
    const started = now();
    const cutoff = announceCutoff(config, started);
    if (cutoff === null) return 0;
    this.stats.runs++;
    let announced = 0;
    let steps = 0;
    try {
      for (;;) {
        const outcomes = await store.announceWaits({ cutoff, now: now(), limit: batch });
        steps++;
        announced += outcomes.length;
        this.stats.announced += outcomes.length;
        const heads = outcomes.flatMap((o) => o.heads);
        // Committed already: a lost wake-up is caught up by the recipients' next sync, never lost.
        if (heads.length > 0) await hub.publishInbox(heads);
        if (outcomes.length < batch || steps >= ANNOUNCE_MAX_STEPS || this.job.closed) break;
        // SQLite steps run on this thread: let requests in between.
        await nextTurn();
      }
    } catch (err) {
      this.stats.failures++;
      logger.warn({ err, announced }, 'announcing long waits failed; the next run picks up the rest');
    }
    if (announced > 0) logger.debug({ announced, steps, ms: now() - started }, 'long waits announced');
    return announced;
  }
}
