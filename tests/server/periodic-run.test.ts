import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicRun, jitteredDelay } from '../../src-server/jobs/periodic-run';

describe('jitteredDelay', () => {
  it('is uniform in interval × [1 − jitter, 1 + jitter) and never 0', () => {
    expect(jitteredDelay(() => 0, 10_000)).toBe(8_000);
    expect(jitteredDelay(() => 0.5, 10_000)).toBe(10_000);
    expect(jitteredDelay(() => 0.999999, 10_000)).toBeLessThan(12_000);
    expect(jitteredDelay(() => 0.25, 1_000, 0.5)).toBe(750);
    expect(jitteredDelay(() => 0, 1)).toBe(1);
  });
});

describe('PeriodicRun', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A job whose runs finish only when the test says so. */
  function gatedJob(delayMs = 100) {
    const finish: Array<(ok: boolean) => void> = [];
    let started = 0;
    const job = new PeriodicRun(
      () => {
        started++;
        return new Promise<number>((resolve, reject) =>
          finish.push((ok) => (ok ? resolve(started) : reject(new Error('run failed')))),
        );
      },
      () => delayMs,
    );
    return { job, finish, started: () => started };
  }

  it('runs one at a time: a run asked for during another joins it', async () => {
    const { job, finish, started } = gatedJob();
    const a = job.run();
    const b = job.run();
    expect(b).toBe(a);
    expect(started()).toBe(1);
    finish.shift()!(true);
    await expect(a).resolves.toBe(1);
    const c = job.run();
    expect(started()).toBe(2);
    finish.shift()!(true);
    await expect(c).resolves.toBe(2);
  });

  it('schedules the next run only after the previous ended, also when it failed; close stops it and waits', async () => {
    vi.useFakeTimers();
    const { job, finish, started } = gatedJob(100);
    job.start();
    job.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(started()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(started()).toBe(1);
    // A slow run never piles up: nothing new starts while it is in progress.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started()).toBe(1);
    finish.shift()!(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(started()).toBe(2);
    let closed = false;
    const closing = job.close().then(() => (closed = true));
    expect(job.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    finish.shift()!(true);
    await closing;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started()).toBe(2);
    job.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started()).toBe(2);
  });
});
