import type { Logger } from '../logger';
import type { InboxHead } from '../store/types';

/** What the repair needs from the hub: who listens on this node, and a way to wake them. */
export interface RepairableHub {
  localUsers(): string[];
  wakeLocal(heads: readonly InboxHead[]): void;
  /** While false the repair runs at its degraded (faster) pace, standing in for lost pub/sub. */
  health(): { ok: boolean };
}

export interface InboxRepairOptions {
  hub: RepairableHub;
  /** Current inbox heads of these users, in one read (PostgresStore.inboxHeads). */
  heads: (uids: readonly string[]) => Promise<InboxHead[]>;
  /** Pace while Redis delivers. Default 5 s. */
  intervalMs?: number;
  /** Pace while the subscription is down or wedged. Default 1 s. */
  degradedIntervalMs?: number;
  logger?: Logger;
}

/** Heads are read this many users at a time. */
const BATCH = 1_000;

/**
 * Pub/sub is at-most-once, so every node periodically reads the inbox heads of the users listening on
 * it and wakes them; a listener that already has that seq ignores the signal, one that missed a
 * wake-up reads its events from the durable inbox. The hub also asks for an immediate check of a user
 * whose channel just went live, or of everyone after its subscription was restored.
 */
export class InboxRepair {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pending = new Set<string>();
  private pendingAll = false;
  private closed = false;
  /** Counters for /healthz and tests. */
  readonly stats = { passes: 0, users_checked: 0, failures: 0 };

  constructor(private readonly options: InboxRepairOptions) {}

  start(): void {
    this.schedule();
  }

  /** Check these users (or everyone on this node) as soon as possible. */
  request(who: readonly string[] | 'all'): void {
    if (this.closed) return;
    if (who === 'all') this.pendingAll = true;
    else for (const uid of who) this.pending.add(uid);
    this.kick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    const { intervalMs = 5_000, degradedIntervalMs = 1_000 } = this.options;
    const delay = this.options.hub.health().ok ? intervalMs : degradedIntervalMs;
    this.timer = setTimeout(() => {
      this.pendingAll = true;
      this.kick();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  /** One pass at a time; requests that arrive during a pass are served by the next one. */
  private kick(): void {
    if (this.running) return;
    this.running = this.pass().finally(() => {
      this.running = null;
      if (!this.closed && (this.pendingAll || this.pending.size > 0)) this.kick();
    });
  }

  private async pass(): Promise<void> {
    const uids = this.pendingAll ? this.options.hub.localUsers() : [...this.pending];
    this.pendingAll = false;
    this.pending = new Set();
    if (uids.length === 0) return;
    this.stats.passes++;
    for (let i = 0; i < uids.length && !this.closed; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      try {
        this.options.hub.wakeLocal(await this.options.heads(batch));
        this.stats.users_checked += batch.length;
      } catch (err) {
        // The database is away: clients repair from their cursors on reconnect, and the next pass retries.
        this.stats.failures++;
        this.options.logger?.debug({ err }, 'inbox repair pass failed');
      }
    }
  }
}
