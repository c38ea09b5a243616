import type { ClientStore, OutboxEntry, OutgoingImage, PendingUpload, StoreChanges } from '../store/client-store';
import type { DataChannel } from '../channel/data-channel';
import type { LocalMessage } from '../../src-shared/ipc';
import { ClientError, toErrorShape } from '../core/errors';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';

/** Rejections that resending the same message can never turn into success. */
const PERMANENT = new Set([
  'BAD_PACKET',
  'UNKNOWN_TYPE',
  'PAYLOAD_TOO_LARGE',
  'MESSAGE_TOO_LONG',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_ARGUMENT',
]);

/** Pause before resending after a temporary failure that came without a retry hint. */
const TEMPORARY_RETRY_MS = 3_000;

export interface OutboxSenderOptions {
  store: ClientStore;
  channel: DataChannel;
  clock: Clock;
  log: Logger;
  /** Put a queued image on the server; resolves to the content that names the server's copy. */
  upload(image: PendingUpload): Promise<OutgoingImage>;
  onChanges(changes: StoreChanges): void;
  onFailed(message: LocalMessage): void;
  onStoreError(err: unknown): void;
}

/**
 * Sends the outbox, oldest first, one at a time so the server commits them in the order they
 * were written, each with its original random_id (so a resend after a lost acknowledgement is
 * recognised by the server, never delivered twice). A queued image is uploaded first, in its turn;
 * uploads are content-addressed, so one repeated after a failure stores nothing twice. Runs whenever the channel is connected and
 * something is queued; stops at the first temporary failure and resumes on the next connect
 * (or after the server's retry hint).
 */
export class OutboxSender {
  private running: Promise<void> | null = null;
  private again = false;
  private retryTimer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly o: OutboxSenderOptions) {}

  /** Something was queued, or the channel connected. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.o.clock.clearTimeout(this.retryTimer);
  }

  /** The entry's body, after uploading its image if it still names the local copy; null if the entry went meanwhile. */
  private async withUpload(entry: OutboxEntry): Promise<OutboxEntry['body'] | null> {
    const pending = this.o.store.pendingUpload(entry.random_id);
    if (!pending) return entry.body;
    const content = await this.o.upload(pending);
    return this.o.store.uploaded(entry.random_id, content);
  }

  private async drain(): Promise<void> {
    const { store, channel } = this.o;
    for (;;) {
      if (this.stopped || !channel.connection()) return;
      let entry;
      try {
        entry = store.outbox()[0];
      } catch (err) {
        this.o.onStoreError(err);
        return;
      }
      if (!entry) return;
      try {
        store.noteAttempt(entry.random_id);
        const body = await this.withUpload(entry);
        if (body === null) continue;
        const result = await channel.request('send', body);
        this.o.onChanges(store.acknowledge(entry.random_id, result.message, result.line));
      } catch (err) {
        const error = toErrorShape(err);
        if (err instanceof ClientError && err.name === 'StoreError') {
          this.o.onStoreError(err);
          return;
        }
        if (PERMANENT.has(error.code)) {
          this.o.log.warn({ random_id: entry.random_id, code: error.code }, 'message rejected');
          try {
            const failed = store.fail(entry.random_id, error);
            if (failed) this.o.onFailed(failed);
          } catch (storeErr) {
            this.o.onStoreError(storeErr);
            return;
          }
          continue;
        }
        this.o.log.info(
          { random_id: entry.random_id, code: error.code, message: error.message },
          'send failed; kept in the outbox',
        );
        // Temporary: keep it queued, in place. Retry after the hint (or a short pause) while still
        // connected; a lost connection retries on the next connect instead.
        if (channel.connection()) {
          this.o.clock.clearTimeout(this.retryTimer);
          this.retryTimer = this.o.clock.setTimeout(() => this.kick(), error.retry_after_ms ?? TEMPORARY_RETRY_MS);
        }
        return;
      }
    }
  }
}
