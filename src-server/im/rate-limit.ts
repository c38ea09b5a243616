/**
 * Token bucket for inbound packets: `burst` packets at once, refilled at `ratePerSecond`.
 * Pure: the caller passes the clock, so tests are exact.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Packets rejected since the last accepted one (sustained abuse closes a WebSocket). */
  rejectedInARow = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Take one token: null when allowed, else how long until one is available. */
  take(now: number): number | null {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = Math.max(this.last, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.rejectedInARow = 0;
      return null;
    }
    this.rejectedInARow += 1;
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}

/** One bucket per key (user, device…), at most `maxKeys` of them: the oldest key is forgotten first. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  for(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.ratePerSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
