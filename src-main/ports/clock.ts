/**
 * Time, behind a port so every policy and deadline in the core is exact under a fake clock.
 * Deadlines are kept as timestamps (`now() + ms`) and re-checked when a timer fires, so a timer
 * that fires late (sleep, busy loop) still sees the real elapsed time.
 */
export interface TimerHandle {
  readonly __timer: true;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | null | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (handle) => {
    if (handle) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};
