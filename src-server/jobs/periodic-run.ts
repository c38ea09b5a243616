/** Each scheduled wait is `interval × (1 ± DEFAULT_JITTER)`, so nodes started together drift apart. */
export const DEFAULT_JITTER = 0.2;

/** Uniform in `interval × [1 - jitter, 1 + jitter)`, and never 0 (a job that never waits would spin). */
export function jitteredDelay(random: () => number, intervalMs: number, jitter = DEFAULT_JITTER): number {
  return Math.max(1, Math.floor(intervalMs * (1 - jitter + 2 * jitter * random())));
}

/**
 * The life of a background job every server (and every cluster node) runs now and then: one run at
 * a time (asking for a run during another joins it), the next scheduled only once the previous
 * ended (a slow run never piles up), timers that do not keep the process alive, and `close()` that
 * waits for the run in progress. The work handles its own failures; a rejection only ends that run.
 */
export class PeriodicRun<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<T>,
    /** The wait before each scheduled run, asked afresh every time (jitter, a pace that depends on health). */
    private readonly delay: () => number,
  ) {}

  /** Schedule runs (idempotent). */
  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run()
        .catch(() => undefined)
        .then(() => this.start());
    }, this.delay());
    this.timer.unref();
  }

  /** One run now, or the one in progress. */
  run(): Promise<T> {
    this.running ??= this.work().finally(() => (this.running = null));
    return this.running;
  }

  /** True once closed: long runs check it between steps and stop early. */
  get closed(): boolean {
    return this.stopped;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
