import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { InboxHead } from '../store/types';
import { closeRedis, openRedis } from './redis-connection';
import type { EphemeralPush, Hub, HubListener, HubSignal } from './types';

export interface RedisHubOptions {
  /** redis://host:port/db */
  url: string;
  /** Prepended to every channel, so several clusters (or test runs) share one Redis. */
  prefix: string;
  /** Unique per running node. */
  nodeId: string;
  logger?: Logger;
  /** How often the node checks that its own subscription still delivers. Default 2 s. */
  healthIntervalMs?: number;
  /** No ping back for this long means the subscription is wedged: reconnect it. Default 3 × interval. */
  healthTimeoutMs?: number;
  /** A user's channel stays subscribed this long after their last listener left (long-polls come right back). */
  lingerMs?: number;
  /**
   * Called when wake-ups may have been missed: with the users whose channel just became live, or
   * with 'all' after the subscription was lost and restored. The cluster's inbox repair answers it.
   */
  onMissed?: (who: readonly string[] | 'all') => void;
}

/**
 * What travels on a user's channel: who published it, and an inbox head (with the event's stored
 * JSON when it is small) or an ephemeral push.
 */
interface Wire {
  o: string;
  i?: number;
  v?: string;
  e?: EphemeralPush;
}

/** Larger events (long texts, big cards) are not carried: listeners read them from the store. */
const MAX_CARRIED_EVENT_CHARS = 16_384;

export interface RedisHubHealth {
  /** The subscription delivered a ping within the timeout. */
  ok: boolean;
  publisher: string;
  subscriber: string;
  last_ping_ms_ago: number | null;
  resubscribes: number;
  publish_failures: number;
}

/**
 * Cross-node fan-out over Redis pub/sub, one channel per user. Local listeners are woken directly (no
 * round trip, and still woken while Redis is away); other nodes through PUBLISH. Pub/sub is
 * at-most-once, which the Hub contract allows: a signal is only a shortcut (the event it may carry is
 * a copy of what is committed in PostgreSQL, pushed only by a listener already at `seq - 1`), and
 * `onMissed` tells the inbox repair when wake-ups may have been lost — a fresh subscription, a
 * reconnect, or a subscription that stopped delivering while its TCP connection looked fine (found by
 * publishing a ping to this node's own health channel on an interval and waiting for it to come back).
 */
export class RedisHub implements Hub {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<HubListener>>();
  /** uid → linger timer (null while the user has listeners). */
  private readonly channels = new Map<string, NodeJS.Timeout | null>();
  private readonly healthChannel: string;
  private readonly healthTimer: NodeJS.Timeout;
  private readonly healthIntervalMs: number;
  private readonly healthTimeoutMs: number;
  private readonly lingerMs: number;
  private lastPingAt: number | null = null;
  private readonly startedAt = Date.now();
  private everReady = false;
  /** Our own health channel is confirmed subscribed on the current connection. */
  private healthSubscribed = false;
  private closed = false;
  private resubscribes = 0;
  private publishFailures = 0;

  constructor(private readonly options: RedisHubOptions) {
    this.healthIntervalMs = options.healthIntervalMs ?? 2_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 3 * this.healthIntervalMs;
    this.lingerMs = options.lingerMs ?? 60_000;
    this.healthChannel = `${options.prefix}node:${options.nodeId}`;
    this.pub = openRedis('command', { url: options.url, name: `im-pub-${options.nodeId}`, logger: options.logger });
    this.sub = openRedis('subscriber', { url: options.url, name: `im-sub-${options.nodeId}`, logger: options.logger });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
    this.sub.on('ready', () => this.onSubscriberReady());
    this.sub.on('close', () => (this.healthSubscribed = false));
    // A first ping as soon as the health channel is live, so health is known before the first interval ends.
    this.drop(this.subscribeHealth().then(() => this.checkHealth()));
    this.healthTimer = setInterval(() => this.checkHealth(), this.healthIntervalMs);
  }

  publishInbox(heads: readonly InboxHead[]): Promise<void> {
    for (const { uid, seq, event } of heads) this.emit(uid, { kind: 'inbox', seq, event });
    this.publish(
      heads.map(({ uid, seq, event }) => [
        uid,
        {
          o: this.options.nodeId,
          i: seq,
          ...(event !== undefined && event.length <= MAX_CARRIED_EVENT_CHARS ? { v: event } : {}),
        },
      ]),
    );
    return Promise.resolve();
  }

  publishEphemeral(uids: readonly string[], push: EphemeralPush): Promise<void> {
    for (const uid of uids) this.emit(uid, { kind: 'ephemeral', push });
    this.publish(uids.map((uid) => [uid, { o: this.options.nodeId, e: push }]));
    return Promise.resolve();
  }

  subscribe(uid: string, listener: HubListener): () => void {
    let set = this.listeners.get(uid);
    if (!set) this.listeners.set(uid, (set = new Set()));
    set.add(listener);
    this.holdChannel(uid);
    return () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(uid) !== set) return;
      this.listeners.delete(uid);
      this.releaseChannel(uid);
    };
  }

  /** Users with a listener on this node (the inbox repair checks their heads). */
  localUsers(): string[] {
    return [...this.listeners.keys()];
  }

  /** Wake this node's listeners with heads read from the store (no publish: every node repairs its own). */
  wakeLocal(heads: readonly InboxHead[]): void {
    for (const { uid, seq } of heads) this.emit(uid, { kind: 'inbox', seq });
  }

  health(): RedisHubHealth {
    const since = this.lastPingAt ?? this.startedAt;
    return {
      ok: this.sub.status === 'ready' && Date.now() - since <= this.healthTimeoutMs && this.lastPingAt !== null,
      publisher: this.pub.status,
      subscriber: this.sub.status,
      last_ping_ms_ago: this.lastPingAt === null ? null : Date.now() - this.lastPingAt,
      resubscribes: this.resubscribes,
      publish_failures: this.publishFailures,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.healthTimer);
    for (const timer of this.channels.values()) if (timer) clearTimeout(timer);
    this.channels.clear();
    this.listeners.clear();
    await Promise.all([closeRedis(this.pub), closeRedis(this.sub)]);
  }

  private channelOf(uid: string): string {
    return `${this.options.prefix}u:${uid}`;
  }

  private holdChannel(uid: string): void {
    if (this.channels.has(uid)) {
      const linger = this.channels.get(uid);
      if (linger) clearTimeout(linger);
      this.channels.set(uid, null);
      return;
    }
    this.channels.set(uid, null);
    // Until Redis confirms, a publish from another node may pass us by: have the repair look once it is live.
    this.drop(this.sub.subscribe(this.channelOf(uid)).then(() => this.options.onMissed?.([uid])));
  }

  private releaseChannel(uid: string): void {
    const timer = setTimeout(() => {
      if (this.listeners.has(uid) || this.channels.get(uid) !== timer) return;
      this.channels.delete(uid);
      this.drop(this.sub.unsubscribe(this.channelOf(uid)));
    }, this.lingerMs);
    timer.unref();
    this.channels.set(uid, timer);
  }

  private publish(entries: Array<[string, Wire]>): void {
    if (entries.length === 0 || this.closed) return;
    const pipeline = this.pub.pipeline();
    for (const [uid, wire] of entries) pipeline.publish(this.channelOf(uid), JSON.stringify(wire));
    // Fire and forget: a lost wake-up is repaired from the inbox; the send that caused it already committed.
    pipeline.exec().then(
      (results) => {
        if (results?.some(([err]) => err)) this.publishFailed(results.find(([err]) => err)?.[0]);
      },
      (err: unknown) => this.publishFailed(err),
    );
  }

  private publishFailed(err: unknown): void {
    this.publishFailures++;
    this.options.logger?.debug({ err }, 'redis publish failed; other nodes catch up through the inbox repair');
  }

  private onMessage(channel: string, message: Buffer): void {
    if (channel === this.healthChannel) {
      this.lastPingAt = Date.now();
      return;
    }
    const prefix = `${this.options.prefix}u:`;
    if (!channel.startsWith(prefix)) return;
    let wire: Wire;
    try {
      wire = JSON.parse(message.toString()) as Wire;
    } catch {
      return;
    }
    // Our own publishes were delivered locally already.
    if (wire.o === this.options.nodeId) return;
    const uid = channel.slice(prefix.length);
    if (typeof wire.i === 'number')
      this.emit(uid, { kind: 'inbox', seq: wire.i, ...(typeof wire.v === 'string' ? { event: wire.v } : {}) });
    else if (wire.e) this.emit(uid, { kind: 'ephemeral', push: wire.e });
  }

  /** After a reconnect ioredis resubscribes by itself; once our own SUBSCRIBE behind those answers, that is done. */
  private onSubscriberReady(): void {
    if (!this.everReady) {
      this.everReady = true;
      return;
    }
    this.resubscribes++;
    // 'ready' fires just before ioredis queues the resubscriptions; queue ours behind them.
    setImmediate(() =>
      this.drop(
        this.subscribeHealth().then(() => {
          this.options.logger?.info(
            { node: this.options.nodeId },
            'redis subscription restored; repairing missed wake-ups',
          );
          this.options.onMissed?.('all');
        }),
      ),
    );
  }

  private async subscribeHealth(): Promise<void> {
    await this.sub.subscribe(this.healthChannel);
    this.healthSubscribed = true;
  }

  private checkHealth(): void {
    if (this.closed) return;
    const since = this.lastPingAt ?? this.startedAt;
    if (this.sub.status === 'ready' && Date.now() - since > this.healthTimeoutMs) {
      // Connected but silent: the subscription is wedged. A fresh connection resubscribes everything.
      this.options.logger?.warn(
        { node: this.options.nodeId, silent_ms: Date.now() - since },
        'redis subscription wedged; reconnecting',
      );
      this.lastPingAt = Date.now();
      this.sub.disconnect(true);
      return;
    }
    if (this.pub.status !== 'ready') return;
    const nonce = randomBytes(4).toString('hex');
    this.pub.publish(this.healthChannel, nonce).then(
      (receivers) => {
        // Redis knows no subscriber of our health channel: it lost our subscriptions (e.g. restarted).
        if (receivers === 0 && this.healthSubscribed && this.sub.status === 'ready') {
          this.options.logger?.warn(
            { node: this.options.nodeId },
            'redis lost this node’s subscriptions; reconnecting',
          );
          this.sub.disconnect(true);
        }
      },
      (err: unknown) => {
        // The publisher itself is stuck (command timeout): start it over.
        this.options.logger?.warn({ err }, 'redis health ping failed; reconnecting the publisher');
        this.pub.disconnect(true);
      },
    );
  }

  private emit(uid: string, signal: HubSignal): void {
    for (const listener of [...(this.listeners.get(uid) ?? [])]) {
      try {
        listener(signal);
      } catch (err) {
        this.options.logger?.error({ err }, 'hub listener failed');
      }
    }
  }

  /** Fire and forget, on purpose: failures are logged, and what they lose the inbox repair restores. */
  private drop(work: Promise<unknown>): void {
    work.catch((err: unknown) => {
      if (!this.closed) this.options.logger?.debug({ err }, 'redis subscription command failed');
    });
  }
}
