/**
 * Typed publish/subscribe (seed 2.2). Producers and consumers meet only through topic names and
 * payload types. Each subscription has its own queue and is drained on its own, so a throwing
 * subscriber is isolated and an async one that is slow holds up only itself; its queue is
 * bounded (oldest dropped and counted) so it cannot grow memory without end.
 */
export type Listener<P> = (payload: P) => void | Promise<void>;

export interface SubscribeOptions<P> {
  /** Only payloads for which this returns true are delivered (evaluated when published). */
  filter?: (payload: P) => boolean;
}

export interface TopicCounters {
  published: number;
  delivered: number;
  filtered: number;
  failed: number;
  dropped: number;
  /** Deliveries that took longer than `slowMs`. */
  slow: number;
}

export interface TopicBusOptions {
  /** Per-subscription queue bound. Default 1000. */
  maxQueue?: number;
  /** A delivery slower than this is counted as slow. Default 50 ms. */
  slowMs?: number;
  now?: () => number;
  onError?: (topic: string, err: unknown) => void;
}

interface Subscription<P> {
  topic: string;
  listener: Listener<P>;
  filter: ((payload: P) => boolean) | undefined;
  queue: P[];
  draining: boolean;
  active: boolean;
  unsubscribe: () => void;
}

export class TopicBus<M extends Record<string, unknown>> {
  private readonly subs = new Map<keyof M, Subscription<never>[]>();
  private readonly counters = new Map<string, TopicCounters>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = 0;
  private readonly maxQueue: number;
  private readonly slowMs: number;
  private readonly now: () => number;
  private readonly onError: (topic: string, err: unknown) => void;
  private disposed = false;

  constructor(options: TopicBusOptions = {}) {
    this.maxQueue = options.maxQueue ?? 1000;
    this.slowMs = options.slowMs ?? 50;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** Subscribing the same listener to the same topic twice keeps one subscription. */
  subscribe<T extends keyof M>(topic: T, listener: Listener<M[T]>, options: SubscribeOptions<M[T]> = {}): () => void {
    const list = (this.subs.get(topic) ?? []) as unknown as Subscription<M[T]>[];
    const existing = list.find((s) => s.listener === listener);
    if (existing) return existing.unsubscribe;
    const sub: Subscription<M[T]> = {
      topic: String(topic),
      listener,
      filter: options.filter,
      queue: [],
      draining: false,
      active: true,
      unsubscribe: () => {
        sub.active = false;
        sub.queue.length = 0;
        const current = this.subs.get(topic) ?? [];
        this.subs.set(
          topic,
          current.filter((s) => s !== (sub as unknown)),
        );
      },
    };
    list.push(sub);
    this.subs.set(topic, list as unknown as Subscription<never>[]);
    return sub.unsubscribe;
  }

  publish<T extends keyof M>(topic: T, payload: M[T]): void {
    if (this.disposed) return;
    const c = this.countersFor(String(topic));
    c.published++;
    for (const sub of (this.subs.get(topic) ?? []) as unknown as Subscription<M[T]>[]) {
      let wanted: boolean;
      try {
        wanted = sub.filter ? sub.filter(payload) : true;
      } catch (err) {
        c.failed++;
        this.onError(sub.topic, err);
        continue;
      }
      if (!wanted) {
        c.filtered++;
        continue;
      }
      if (sub.queue.length >= this.maxQueue) {
        sub.queue.shift();
        c.dropped++;
      }
      sub.queue.push(payload);
      if (!sub.draining) this.drain(sub);
    }
  }

  subscriberCount(topic: keyof M): number {
    return (this.subs.get(topic) ?? []).length;
  }

  /** Snapshot of per-topic counters, for diagnostics. */
  stats(): Record<string, TopicCounters> {
    return Object.fromEntries([...this.counters].map(([k, v]) => [k, { ...v }]));
  }

  /** Resolves when every queue is empty and no delivery is running (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    for (const list of this.subs.values()) for (const s of list) s.unsubscribe();
    this.subs.clear();
  }

  private countersFor(topic: string): TopicCounters {
    let c = this.counters.get(topic);
    if (!c) {
      c = { published: 0, delivered: 0, filtered: 0, failed: 0, dropped: 0, slow: 0 };
      this.counters.set(topic, c);
    }
    return c;
  }

  private drain<P>(sub: Subscription<P>): void {
    sub.draining = true;
    this.running++;
    // Deliver on a later microtask: the publisher never runs subscriber code on its own stack.
    queueMicrotask(() => {
      void this.deliverAll(sub).finally(() => {
        sub.draining = false;
        this.running--;
        if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    });
  }

  private async deliverAll<P>(sub: Subscription<P>): Promise<void> {
    const c = this.countersFor(sub.topic);
    while (sub.active && sub.queue.length > 0) {
      const payload = sub.queue.shift() as P;
      const started = this.now();
      try {
        await sub.listener(payload);
        c.delivered++;
      } catch (err) {
        c.failed++;
        this.onError(sub.topic, err);
      }
      if (this.now() - started > this.slowMs) c.slow++;
    }
  }
}
