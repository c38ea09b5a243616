import type { Clock, TimerHandle } from './clock';
import { Listeners } from './listeners';

export type PowerEvent = 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen';

/**
 * Machine sleep/wake and screen lock. On `resume` the channel re-checks its deadlines and
 * reconnects promptly (with a small random delay). Electron implements it with `powerMonitor`.
 */
export interface PowerMonitor {
  onEvent(listener: (event: PowerEvent) => void): () => void;
  dispose(): void;
}

export interface DriftPowerMonitorOptions {
  clock: Clock;
  /** Tick period. Default 5000 ms. */
  intervalMs?: number;
  /** A tick this much later than expected means the machine slept. Default 15000 ms. */
  driftMs?: number;
}

/**
 * Plain-Node monitor: Node has no power events, but a timer that fires far later than asked
 * means the process was frozen (sleep), so it reports `resume` then.
 */
export class DriftPowerMonitor implements PowerMonitor {
  private readonly listeners = new Listeners<[PowerEvent]>();
  private timer: TimerHandle | null = null;
  private expectedAt = 0;
  private readonly intervalMs: number;
  private readonly driftMs: number;

  constructor(private readonly options: DriftPowerMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.driftMs = options.driftMs ?? 15_000;
    this.schedule();
  }

  onEvent(listener: (event: PowerEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  dispose(): void {
    this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private schedule(): void {
    this.expectedAt = this.options.clock.now() + this.intervalMs;
    this.timer = this.options.clock.setTimeout(() => {
      if (this.options.clock.now() - this.expectedAt > this.driftMs) this.listeners.emit('resume');
      this.schedule();
    }, this.intervalMs);
  }
}
