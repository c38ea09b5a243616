/**
 * The relay every messaging benchmark runs: each pair plays ping-pong (customer ↔ staff), one
 * message in flight per pair. A hop's latency runs from just before the send to the receiving
 * client's handler, in one process on one clock.
 */
export interface Pair {
  send(from: 'customer' | 'staff', t: number): void;
  onReceive: (to: 'customer' | 'staff', t: number) => void;
  close(): Promise<void>;
}

export interface PingPongResult {
  messagesPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
  /** How much `probe` grew over the measured window (server CPU, errors, …). */
  probeDelta: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Warm up, measure hops for `measureMs`, then stop the ping-pong and close every pair. */
export async function drivePingPong(
  pairs: Pair[],
  options: { warmupMs: number; measureMs: number; probe?: () => number | Promise<number> },
): Promise<PingPongResult> {
  const probe = options.probe ?? (() => 0);
  const samples: number[] = [];
  let measuring = false;
  let running = true;
  for (const pair of pairs) {
    pair.onReceive = (to, t) => {
      if (measuring) samples.push(performance.now() - t);
      if (running) pair.send(to, performance.now());
    };
  }
  for (const pair of pairs) pair.send('customer', performance.now());
  await sleep(options.warmupMs);
  const probeBefore = await probe();
  measuring = true;
  const started = performance.now();
  await sleep(options.measureMs);
  measuring = false;
  const elapsed = performance.now() - started;
  const probeDelta = (await probe()) - probeBefore;
  running = false;
  // Let in-flight hops land before the sockets close, so closing is not counted as an error.
  await sleep(300);
  for (const pair of pairs) await pair.close();
  const sorted = samples.sort((a, b) => a - b);
  return {
    messagesPerSecond: samples.length / (elapsed / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    samples: samples.length,
    probeDelta,
  };
}
