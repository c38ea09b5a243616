import type { Clock, TimerHandle } from './clock';
import { Listeners } from './listeners';
import type { NetworkMonitor } from './network';
import type { PowerEvent, PowerMonitor } from './power';

interface FakeTimer extends TimerHandle {
  at: number;
  order: number;
  fn: () => void;
}

/**
 * Manual clock for exact tests: time moves only when the test says so, and due timers run in
 * (time, creation) order. `advance` lets promise continuations run between timers.
 */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private counter = 0;

  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), order: this.counter++, fn } as FakeTimer;
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  pending(): number {
    return this.timers.length;
  }

  /** Time of the next timer, or null. */
  nextAt(): number | null {
    return this.timers.reduce<number | null>((m, t) => (m === null || t.at < m ? t.at : m), null);
  }

  /** Move time forward by `ms`, running every timer that falls due (including ones they schedule). */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = end;
    await flushMicrotasks();
  }

  /** Jump time without running timers, as a sleeping machine does; timers then run late. */
  jump(ms: number): void {
    this.current += ms;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export class ManualNetworkMonitor implements NetworkMonitor {
  private readonly listeners = new Listeners<[boolean]>();
  constructor(private online = true) {}
  isOnline(): boolean {
    return this.online;
  }
  onChange(listener: (online: boolean) => void): () => void {
    return this.listeners.add(listener);
  }
  set(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.listeners.emit(online);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class ManualPowerMonitor implements PowerMonitor {
  private readonly listeners = new Listeners<[PowerEvent]>();
  onEvent(listener: (event: PowerEvent) => void): () => void {
    return this.listeners.add(listener);
  }
  emit(event: PowerEvent): void {
    this.listeners.emit(event);
  }
  dispose(): void {
    this.listeners.clear();
  }
}
