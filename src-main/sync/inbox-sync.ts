import type { Cursor, InboxEvent, PollResult, PushBody } from '../../src-shared/protocol';
import type { Connection } from '../channel/connection';
import type { ApplyResult, ClientStore, StoreChanges } from '../store/client-store';
import type { Logger } from '../ports/logger';

export interface InboxSyncOptions {
  store: ClientStore;
  pageSize: number;
  /** Called after each committed page with what changed (publish on the bus). */
  onChanges(changes: StoreChanges): void;
  /** A store failure (corrupt, locked, full): the sync stops and says so. */
  onStoreError(err: unknown): void;
  /**
   * The server answered `reset` and the store dropped what it held (epoch change, or a cursor the
   * server's inbox retention left behind): lines that no retained event names must be listed again.
   */
  onReset(): void;
  log: Logger;
}

/**
 * Resume and live inbox (DESIGN: nothing lost, nothing twice, order kept). On every connect it
 * pages `sync` from the durable cursor until `more` is false, each page committed in one
 * transaction with the cursor. Live pushes are applied when they continue the cursor; a gap
 * while connected triggers a targeted catch-up from the cursor, never a reconnect. Overlaps and
 * duplicates (resume pages vs pushes, two transports, repeated pushes) are skipped by seq.
 */
export class InboxSync {
  private catchingUp: Promise<void> | null = null;
  private again = false;
  private connection: Connection | null = null;
  private stats = { pages: 0, gaps: 0, resets: 0 };

  constructor(private readonly o: InboxSyncOptions) {}

  /** A connection became current: resume from the cursor (WebSocket; long-poll pages itself). */
  attach(connection: Connection): void {
    this.connection = connection;
    if (connection.transport === 'ws') void this.catchUp();
  }

  detach(): void {
    this.connection = null;
  }

  onInboxPush(body: PushBody<'inbox'>): void {
    const result = this.apply(body.epoch, body.events, false);
    if (result && (result.gap || result.epochMismatch)) {
      this.stats.gaps++;
      this.o.log.info(
        { gap: result.gap, epoch_mismatch: result.epochMismatch },
        'inbox gap while connected; catching up',
      );
      void this.catchUp();
    }
  }

  /** A long-poll page starts at our cursor, so it is applied like a sync page. */
  onPollPage(page: PollResult): Promise<void> {
    this.apply(page.epoch, page.events, page.outcome === 'reset');
    return Promise.resolve();
  }

  /** Pages `sync` from the cursor until the server has nothing more; concurrent calls merge into one run. */
  catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      try {
        do {
          this.again = false;
          await this.pageUntilDone();
        } while (this.again && this.connection);
      } catch (err) {
        this.o.log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'catch-up interrupted; it resumes on the next connect',
        );
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  /** For diagnostics and tests. */
  counters(): { pages: number; gaps: number; resets: number } {
    return { ...this.stats };
  }

  /**
   * The next page is requested (from the previous page's `next`) before the current one is
   * committed, so the server's work overlaps ours. Safe because the store applies by seq: a page
   * that does not continue the durable cursor is skipped or stops at the gap, and the loop around
   * this one starts again from the cursor.
   */
  private async pageUntilDone(): Promise<void> {
    const connection = this.connection;
    if (!connection || connection.transport !== 'ws') return;
    const fetch = (cursor: Cursor | null) => connection.request('sync', { cursor, limit: this.o.pageSize });
    let pending = fetch(this.o.store.cursor());
    for (;;) {
      const page = await pending;
      if (connection !== this.connection) return;
      if (page.more) {
        pending = fetch(page.next);
        // Settled later (or abandoned on failure): never an unhandled rejection.
        pending.catch(() => {});
      }
      const result = this.apply(page.epoch, page.events, page.outcome === 'reset');
      if (!result || !page.more) return;
      if (result.gap || result.epochMismatch) {
        this.again = true;
        return;
      }
    }
  }

  private apply(epoch: string, events: readonly InboxEvent[], reset: boolean): ApplyResult | null {
    let result: ApplyResult;
    const dropping = reset && this.o.store.cursor() !== null;
    try {
      result = this.o.store.applyInbox(epoch, events, { reset });
    } catch (err) {
      this.o.onStoreError(err);
      return null;
    }
    this.stats.pages++;
    if (reset) this.stats.resets++;
    this.o.onChanges(result.changes);
    if (dropping) this.o.onReset();
    return result;
  }
}
