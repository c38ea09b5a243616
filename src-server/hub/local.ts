import type { InboxHead } from '../store/types';
import type { EphemeralPush, Hub, HubListener, HubSignal } from './types';

/** Single-process Hub: listeners per uid in a map; delivery is synchronous and isolated per listener. */
export class LocalHub implements Hub {
  private readonly listeners = new Map<string, Set<HubListener>>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  publishInbox(heads: readonly InboxHead[]): Promise<void> {
    for (const { uid, seq, event } of heads) this.emit(uid, { kind: 'inbox', seq, event });
    return Promise.resolve();
  }

  publishEphemeral(uids: readonly string[], push: EphemeralPush): Promise<void> {
    for (const uid of uids) this.emit(uid, { kind: 'ephemeral', push });
    return Promise.resolve();
  }

  subscribe(uid: string, listener: HubListener): () => void {
    let set = this.listeners.get(uid);
    if (!set) this.listeners.set(uid, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(uid) === set) this.listeners.delete(uid);
    };
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  /** Number of users with at least one listener (for tests that check nothing leaks). */
  get subscribedUsers(): number {
    return this.listeners.size;
  }

  private emit(uid: string, signal: HubSignal): void {
    for (const listener of [...(this.listeners.get(uid) ?? [])]) {
      try {
        listener(signal);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
