import type { ServerEnvelope } from '../../src-shared/protocol';
import type { InboxHead } from '../store/types';

/**
 * The fan-out port: how a write on one node wakes the channels of its recipients wherever they are
 * connected. `LocalHub` (hub/local.ts) does it inside one process; a Redis implementation publishes
 * the same signals between nodes. The gateway only ever uses this interface.
 *
 * Signals carry no durable data: an `inbox` signal says "uid's inbox has events up to seq" (with a
 * copy of the event at seq at most), and the listener reads what it lacks from the Store, so a lost
 * or duplicated signal never loses or repeats an event (the next signal, poll or sync catches up).
 * Ephemeral pushes (typing, presence) are best effort.
 */
export interface Hub {
  /** After a commit: wake every channel of each user, on every node. */
  publishInbox(heads: readonly InboxHead[]): Promise<void>;
  /** Deliver an ephemeral push to every live channel of these users, on every node. */
  publishEphemeral(uids: readonly string[], push: EphemeralPush): Promise<void>;
  /** Listen on this node for one user's signals. Returns the unsubscribe function. */
  subscribe(uid: string, listener: HubListener): () => void;
  close(): Promise<void>;
}

export interface EphemeralPush {
  envelope: ServerEnvelope;
  /**
   * When set, only channels whose current `need` shows this line (or, for staff, the line list)
   * receive it — each receiving channel applies the filter itself, so no node needs another's state.
   */
  line_id?: string;
}

/**
 * `event` (the stored JSON of the event at `seq`) may ride along, also to other nodes, so a listener
 * already at `seq - 1` pushes it without a read. Any other listener (behind, or after a gap) reads
 * from the Store, so order and exactly-once never depend on which signals arrive.
 */
export type HubSignal = { kind: 'inbox'; seq: number; event?: string } | { kind: 'ephemeral'; push: EphemeralPush };
export type HubListener = (signal: HubSignal) => void;
