import type { Hub } from '../hub/types';
import { PeriodicRun } from '../jobs/periodic-run';
import type { Logger } from '../logger';
import type { PresenceDirectory } from '../presence/types';
import type { Store } from '../store/types';

/** What the sweep needs from the store (PostgresStore has it). */
export type QueueStore = Pick<Store, 'listStaff' | 'assignQueued'> & { queuedMerchants(): Promise<string[]> };

export interface QueueSweepOptions {
  store: QueueStore;
  presence: PresenceDirectory;
  hub: Hub;
  stickyWindowMs: number;
  now: () => number;
  /** Default 10 s. */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Queued lines are handed out when something happens (a staff member comes online, a line is
 * resolved or transferred). In a cluster such a trigger can miss a line: it was locked by a write on
 * another node at that moment, or the node died before it ran. Every node therefore looks at the
 * queue now and then and assigns what someone online has capacity for; the store's locks make
 * sweeps on several nodes at once harmless.
 */
export class QueueSweep {
  private readonly job: PeriodicRun<void>;
  readonly stats = { sweeps: 0, assigned: 0, failures: 0 };

  constructor(private readonly options: QueueSweepOptions) {
    this.job = new PeriodicRun(
      () => this.pass(),
      () => options.intervalMs ?? 10_000,
    );
  }

  start(): void {
    this.job.start();
  }

  close(): Promise<void> {
    return this.job.close();
  }

  /** One pass over every merchant with a waiting line (or the pass in progress). */
  sweep(): Promise<void> {
    return this.job.run();
  }

  private async pass(): Promise<void> {
    const { store, presence, hub } = this.options;
    this.stats.sweeps++;
    try {
      for (const merchantId of await store.queuedMerchants()) {
        if (this.job.closed) return;
        const staff = await store.listStaff(merchantId);
        const online = await presence.online(staff.map((s) => s.uid));
        if (!staff.some((s) => online.has(s.uid) && !s.disabled && s.open_lines < s.capacity)) continue;
        const outcomes = await store.assignQueued({
          merchant_id: merchantId,
          onlineStaff: online,
          now: this.options.now(),
          stickyWindowMs: this.options.stickyWindowMs,
        });
        this.stats.assigned += outcomes.length;
        for (const out of outcomes) if (out.heads.length > 0) await hub.publishInbox(out.heads);
      }
    } catch (err) {
      this.stats.failures++;
      this.options.logger?.debug({ err }, 'queue sweep failed; the next one retries');
    }
  }
}
