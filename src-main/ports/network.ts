import { networkInterfaces } from 'node:os';
import type { Clock, TimerHandle } from './clock';
import { Listeners } from './listeners';

/**
 * Whether the OS reports a usable network. While it says "down" the channel makes no attempts
 * (seed 3.3) and reconnects promptly when it comes back. Electron's shell implements this with
 * `net.isOnline()` and the online/offline events.
 */
export interface NetworkMonitor {
  isOnline(): boolean;
  onChange(listener: (online: boolean) => void): () => void;
  dispose(): void;
}

export interface InterfaceNetworkMonitorOptions {
  clock: Clock;
  /** How often to look at the interfaces. Default 3000 ms. */
  intervalMs?: number;
  /** Injected for tests; default: any non-internal interface is up. */
  probe?: () => boolean;
}

export function hasExternalInterface(): boolean {
  return Object.values(networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => !a.internal));
}

/** Plain-Node monitor: polls the interface list, since Node has no online/offline events. */
export class InterfaceNetworkMonitor implements NetworkMonitor {
  private readonly listeners = new Listeners<[boolean]>();
  private online: boolean;
  private timer: TimerHandle | null = null;
  private readonly intervalMs: number;
  private readonly probe: () => boolean;

  constructor(private readonly options: InterfaceNetworkMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 3000;
    this.probe = options.probe ?? hasExternalInterface;
    this.online = this.probe();
    this.schedule();
  }

  isOnline(): boolean {
    return this.online;
  }

  onChange(listener: (online: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  dispose(): void {
    this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      const now = this.probe();
      if (now !== this.online) {
        this.online = now;
        this.listeners.emit(now);
      }
      this.schedule();
    }, this.intervalMs);
  }
}

/** For hosts that cannot tell (and for loopback-only setups): always online. */
export class AlwaysOnline implements NetworkMonitor {
  isOnline(): boolean {
    return true;
  }
  onChange(): () => void {
    return () => {};
  }
  dispose(): void {}
}
