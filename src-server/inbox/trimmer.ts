import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { PeriodicRun, jitteredDelay } from '../jobs/periodic-run';
import { TRIM_INTERVAL_MS, checkRetention, trimPlan, type RetentionConfig } from './retention';

export interface InboxTrimmerOptions {
  store: Pick<Store, 'trimInbox'>;
  config: RetentionConfig;
  now: () => number;
  random: () => number;
  logger: Logger;
  /** Default TRIM_INTERVAL_MS (10 min), jittered ±20 %. */
  intervalMs?: number;
}

/**
 * Keeps inboxes within the retention settings: every ~10 minutes (jittered) one run walks every
 * inbox in bounded store steps until all were looked at. Every server runs one, every node of a
 * cluster too: runs that overlap on a shared database only find less to delete. A failed run is
 * logged and the next one starts over.
 */
export class InboxTrimmer {
  private readonly job: PeriodicRun<number>;
  /** Counters for diagnostics and tests. */
  readonly stats = { runs: 0, deleted: 0, failures: 0 };

  constructor(private readonly options: InboxTrimmerOptions) {
    checkRetention(options.config);
    this.job = new PeriodicRun(
      () => this.pass(),
      () => jitteredDelay(options.random, options.intervalMs ?? TRIM_INTERVAL_MS),
    );
  }

  /** Schedule runs; does nothing when both limits are off. */
  start(): void {
    if (trimPlan(this.options.config, 0) !== null) this.job.start();
  }

  close(): Promise<void> {
    return this.job.close();
  }

  /** One whole run now (or join the one in progress); resolves with the number of events deleted. */
  run(): Promise<number> {
    return this.job.run();
  }

  private async pass(): Promise<number> {
    const { store, config, now, logger } = this.options;
    const started = now();
    const plan = trimPlan(config, started);
    if (plan === null) return 0;
    this.stats.runs++;
    let deleted = 0;
    let steps = 0;
    try {
      let from: string | null = null;
      do {
        const step = await store.trimInbox({ ...plan, from });
        deleted += step.deleted;
        from = step.next;
        steps++;
        // SQLite steps run on this thread: let requests in between.
        await nextTurn();
      } while (from !== null && !this.job.closed);
    } catch (err) {
      this.stats.failures++;
      logger.warn({ err, deleted }, 'inbox trim failed; the next run starts over');
    }
    this.stats.deleted += deleted;
    if (deleted > 0) logger.info({ deleted, steps, ms: now() - started }, 'inbox trimmed');
    return deleted;
  }
}
