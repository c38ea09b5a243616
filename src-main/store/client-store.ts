import type { Database, Statement } from 'better-sqlite3';
import type { IpcErrorShape, LineView, LocalMessage } from '../../src-shared/ipc';
import type { Cursor, InboxEvent, Line, Message, RequestBody, Role } from '../../src-shared/protocol';
import { toStoreError } from './errors';
import {
  LOCAL_ORD,
  MESSAGE_COLUMNS,
  messageParams,
  ordOf,
  searchTextOf,
  toLineView,
  toLocalMessage,
  type LineRow,
  type MessageRow,
  type OutgoingContent,
} from './rows';

/** What a write changed, published on the bus after the commit (never before). */
export interface StoreChanges {
  newMessages: LocalMessage[];
  updatedMessages: LocalMessage[];
  /** Lines whose view (snapshot, last message, unread) changed. */
  lines: Set<string>;
  /** Lines whose unread count changed. */
  unread: Set<string>;
}

export interface ApplyResult {
  changes: StoreChanges;
  /** Cursor after the commit. */
  cursor: Cursor;
  applied: number;
  duplicates: number;
  /** Set when an event beyond cursor+1 arrived: it and the rest were not applied. */
  gap: { after: number; got: number } | null;
  /** The events name another epoch than the cursor: only a `sync` reset may switch epochs. */
  epochMismatch: boolean;
}

export interface OutboxEntry {
  random_id: string;
  line_id: string;
  body: RequestBody<'send'>;
  attempts: number;
}

export type OutgoingImage = Extract<OutgoingContent, { type: 'image' }>;

/** An image waiting in the outbox to be uploaded before its message can be sent. */
export interface PendingUpload {
  mime: OutgoingImage['mime'];
  bytes: Buffer;
}

export interface LineFilter {
  busi_type?: string | undefined;
  status?: string | undefined;
  mine?: boolean | undefined;
}

function emptyChanges(): StoreChanges {
  return { newMessages: [], updatedMessages: [], lines: new Set(), unread: new Set() };
}

/** Most messages re-published when the peer's read pointer jumps (older ones update on next load). */
const MAX_READ_UPDATES = 200;

/**
 * The account's local store (seed 3.1): messages de-duplicated on server id and on
 * (sender, random_id), lines with unread counts, the inbox cursor, the outbox and mutes.
 * Every write is one transaction; every failure comes out as a StoreError.
 */
export class ClientStore {
  private readonly s: ReturnType<typeof prepare>;
  /** Rowid of the current write transaction's first inserted message (see `writing`). */
  private firstInserted: number | null = null;

  constructor(
    readonly db: Database,
    /** The signed-in user's uid. */
    readonly me: string,
    readonly path: string,
    /** A customer's lines are all theirs; staff share a merchant's lines with colleagues (the badge rule). */
    readonly role: Role = 'staff',
  ) {
    this.s = this.guard(() => prepare(db));
  }

  close(): void {
    this.db.close();
  }

  // ---- inbox -------------------------------------------------------------------------------------

  cursor(): Cursor | null {
    return this.guard(() => (this.s.getCursor.get() as Cursor | undefined) ?? null);
  }

  /**
   * Apply inbox events in one transaction and advance the cursor in that same transaction, so the
   * cursor never points past what is durably stored. Events at or below the cursor are duplicates
   * (resume overlap, the other transport, a repeated push) and are skipped; an event past
   * cursor+1 stops the page there (the caller fetches the gap). `reset` starts over from the page:
   * - the server trimmed the events after our cursor (same epoch, the page starts past it): what we
   *   hold is still true, only incomplete, so it is kept (search still finds it) and no line's history
   *   window counts as complete any more — opening a line fetches what the trim took;
   * - anything else (a new epoch, or a server whose inbox went back below our cursor): the old ids
   *   may mean nothing now, so the server-derived state is dropped first.
   */
  applyInbox(epoch: string, events: readonly InboxEvent[], options: { reset?: boolean } = {}): ApplyResult {
    return this.writing(() => {
      const changes = emptyChanges();
      let cursor = this.cursor();
      if (options.reset) {
        // A reset page starts at the server's oldest retained event: seq 1, or later once the inbox was trimmed.
        const first = events.reduce((min, e) => Math.min(min, e.seq), Number.POSITIVE_INFINITY);
        if (cursor !== null) {
          if (cursor.epoch === epoch && Number.isFinite(first) && first > cursor.seq) this.s.forgetWindows.run();
          else this.dropServerState();
        }
        cursor = { epoch, seq: Number.isFinite(first) ? first - 1 : 0 };
      }
      const result: ApplyResult = {
        changes,
        cursor: cursor ?? { epoch, seq: 0 },
        applied: 0,
        duplicates: 0,
        gap: null,
        epochMismatch: false,
      };
      if (cursor === null || cursor.epoch !== epoch) {
        result.epochMismatch = true;
        return result;
      }
      let seq = cursor.seq;
      const pageLines = new Map<string, PageLine>();
      for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
        if (event.seq <= seq) {
          result.duplicates++;
          continue;
        }
        if (event.seq !== seq + 1) {
          result.gap = { after: seq, got: event.seq };
          break;
        }
        this.applyEvent(event, changes, pageLines);
        seq = event.seq;
        result.applied++;
      }
      for (const lineId of [...pageLines.keys()]) this.flushLine(lineId, pageLines, changes);
      this.s.putCursor.run({ epoch, seq });
      result.cursor = { epoch, seq };
      return result;
    });
  }

  private dropServerState(): void {
    // Pending receipts name messages of the old epoch: they mean nothing to the server any more;
    // the lines kept for their unsent messages have no known history left.
    this.db.exec(
      `DELETE FROM messages WHERE message_id IS NOT NULL; DELETE FROM lines WHERE line_id NOT IN (SELECT line_id FROM messages);
       DELETE FROM pending_reads; UPDATE lines SET history_from_ord = NULL;`,
    );
  }

  /**
   * A message event's line snapshot is not written at once: a page often carries many messages
   * of one line, and only its newest snapshot (plus what the others imply: unread, reach) needs
   * writing, once, at the end of the page — or before a line or read event about that line,
   * which must see it up to date.
   */
  private applyEvent(event: InboxEvent, changes: StoreChanges, pageLines: Map<string, PageLine>): void {
    switch (event.kind) {
      case 'message': {
        const { line } = event;
        const pending = pageLines.get(line.line_id);
        if (pending) {
          pending.line = line;
          pending.reaches &&= reachesMe(line, this.me);
          pending.activity = Math.max(pending.activity, activityOf(line));
        } else {
          pageLines.set(line.line_id, {
            line,
            reaches: reachesMe(line, this.me),
            activity: activityOf(line),
            unreadOrds: [],
          });
          changes.lines.add(line.line_id);
        }
        this.mergeMessage(event.message, changes, pageLines.get(line.line_id)!.unreadOrds);
        return;
      }
      case 'line':
        this.flushLine(event.line.line_id, pageLines, changes);
        this.upsertLine(event.line, changes);
        return;
      case 'read':
        this.flushLine(event.line_id, pageLines, changes);
        this.applyRead(event.line_id, event.reader, ordOf(event.message_id), changes);
        return;
    }
  }

  private flushLine(lineId: string, pageLines: Map<string, PageLine>, changes: StoreChanges): void {
    const pending = pageLines.get(lineId);
    if (!pending) return;
    pageLines.delete(lineId);
    this.upsertLine(pending.line, changes, pending);
  }

  /** Write a line snapshot; from an inbox page, with what the page's other snapshots and messages add. */
  private upsertLine(line: Line, changes: StoreChanges, page?: Omit<PageLine, 'line'>): void {
    const after = line.peer_read_message_id === null ? null : ordOf(line.peer_read_message_id);
    // Only a snapshot that carries a read pointer can move it (most snapshots carry none yet).
    const before =
      after === null
        ? undefined
        : (this.s.getPeerRead.get(line.line_id) as { peer_read_ord: number | null } | undefined);
    const params = lineParams(line, this.me);
    this.s.upsertLine.run({
      ...params,
      reaches_me: page && !page.reaches ? 0 : params.reaches_me,
      activity: Math.max(params.activity, page?.activity ?? 0),
      unread_ords: page && page.unreadOrds.length > 0 ? JSON.stringify(page.unreadOrds) : '[]',
    });
    changes.lines.add(line.line_id);
    if (after !== null && (before?.peer_read_ord ?? -1) < after)
      this.republishRead(line.line_id, before?.peer_read_ord ?? -1, after, changes);
  }

  /**
   * A server copy of a message: replaces our local echo (matched by random_id), or is inserted,
   * or is a duplicate and changes nothing. A new message from the other side counts as unread:
   * at once, or — from an inbox page — through `unreadOrds`, when its line is written.
   */
  private mergeMessage(message: Message, changes: StoreChanges, unreadOrds: number[] | null = null): void {
    const params = messageParams(message, 'sent');
    // Only our own messages can have a local echo (from this device) to replace.
    if (message.random_id !== null && message.sender === this.me) {
      const replaced = this.s.replaceEcho.run(params);
      if (replaced.changes > 0) {
        this.s.deleteOutbox.run(message.random_id);
        changes.updatedMessages.push(this.messageByServerId(message.message_id));
        changes.lines.add(message.line_id);
        return;
      }
    }
    if (!this.insertMessage(params)) return;
    // Built from what was just written rather than read back: ingest is the hot path.
    changes.newMessages.push({ ...message, key: message.message_id, state: 'sent', error: null });
    changes.lines.add(message.line_id);
    // System notices (assignment, transfer) are context, not something a person is waiting on.
    if (message.sender === this.me || message.content.type === 'system') return;
    if (unreadOrds) {
      unreadOrds.push(params.ord);
      changes.unread.add(message.line_id);
    } else if (this.s.bumpUnread.run(message.line_id, params.ord).changes > 0) changes.unread.add(message.line_id);
  }

  private applyRead(lineId: string, reader: string, ord: number, changes: StoreChanges): void {
    if (reader === this.me) {
      // The server already has a read this far (ours echoed, or another device's): nothing left to tell it.
      this.s.settlePendingRead.run(lineId, ord);
      if (this.s.advanceRead.run(ord, lineId, ord).changes > 0) {
        this.s.recountUnread.run({ line_id: lineId, me: this.me });
        changes.unread.add(lineId);
        changes.lines.add(lineId);
      }
      return;
    }
    const before = this.s.getPeerRead.get(lineId) as { peer_read_ord: number | null } | undefined;
    if (this.s.advancePeerRead.run(ord, lineId, ord).changes > 0)
      this.republishRead(lineId, before?.peer_read_ord ?? -1, ord, changes);
  }

  private republishRead(lineId: string, fromOrd: number, toOrd: number, changes: StoreChanges): void {
    const rows = this.s.myMessagesBetween.all({
      line_id: lineId,
      me: this.me,
      from: fromOrd,
      to: toOrd,
      limit: MAX_READ_UPDATES,
    }) as MessageRow[];
    for (const row of rows) changes.updatedMessages.push(toLocalMessage(row, this.me));
    if (rows.length > 0) changes.lines.add(lineId);
  }

  /** The newest snapshot of a line from a request's reply. */
  putLine(line: Line): StoreChanges {
    return this.guard(() =>
      this.db.transaction(() => {
        const changes = emptyChanges();
        this.upsertLine(line, changes);
        return changes;
      })(),
    );
  }

  /** Lines from `lines.list`: adds the ones the inbox has not brought; the inbox stays authoritative for the rest. */
  addMissingLines(lines: readonly Line[], unread: Record<string, number>): StoreChanges {
    return this.guard(() =>
      this.db.transaction(() => {
        const changes = emptyChanges();
        for (const line of lines) {
          if (
            this.s.insertLineIfMissing.run({ ...lineParams(line, this.me), unread: unread[line.line_id] ?? 0 })
              .changes > 0
          )
            changes.lines.add(line.line_id);
        }
        return changes;
      })(),
    );
  }

  /**
   * A `history` page from the server (older than what the inbox brought, or a hole): inserted unless
   * already there. The page is contiguous on the server, so it also widens the line's known-complete
   * window: the newest page starts one (while the line's messages reach this inbox, see `reachesMe`);
   * a page just before a message inside the window extends it down; `more: false` reaches the start.
   */
  addHistory(
    messages: readonly Message[],
    page?: { line_id: string; before_message_id: string | null; more: boolean },
  ): StoreChanges {
    return this.writing(() => {
      const changes = emptyChanges();
      for (const m of messages) {
        if (this.insertMessage(messageParams(m, 'sent'))) changes.lines.add(m.line_id);
      }
      const oldest = messages[0];
      if (page && (oldest || !page.more)) {
        const from = page.more ? ordOf(oldest!.message_id) : 0;
        if (page.before_message_id === null) {
          const row = this.s.getLineReach.get(page.line_id) as { data: string } | undefined;
          if (row && reachesMe(JSON.parse(row.data) as Line, this.me))
            this.s.openWindow.run({ from, line_id: page.line_id });
        } else {
          this.s.extendWindow.run({ from, line_id: page.line_id, anchor: ordOf(page.before_message_id) });
        }
      }
      return changes;
    });
  }

  // ---- outbox ------------------------------------------------------------------------------------

  /** Write an outgoing message (local echo + outbox entry) before anything is sent. */
  enqueue(input: {
    line_id: string;
    content: OutgoingContent;
    random_id: string;
    role: Role;
    now: number;
    /** The image's bytes, for image content that names a local copy rather than the server's. */
    upload?: PendingUpload;
  }): LocalMessage {
    return this.writing(() => {
      if (input.upload) this.s.insertUpload.run(input.random_id, input.upload.mime, input.upload.bytes);
      this.insertMessage({
        message_id: null,
        ord: LOCAL_ORD,
        line_id: input.line_id,
        sender: this.me,
        sender_role: input.role,
        random_id: input.random_id,
        content: JSON.stringify(input.content),
        ts: input.now,
        state: 'sending',
        search_text: searchTextOf(input.content),
      });
      const body: RequestBody<'send'> = {
        random_id: input.random_id,
        line_id: input.line_id,
        content: input.content,
      };
      this.s.insertOutbox.run({
        random_id: input.random_id,
        line_id: input.line_id,
        body: JSON.stringify(body),
        created_at: input.now,
      });
      this.s.touchLine.run(input.now, input.line_id);
      return this.messageByRandomId(input.random_id)!;
    });
  }

  /** The outbox in send order. */
  outbox(): OutboxEntry[] {
    return this.guard(() =>
      (this.s.listOutbox.all() as { random_id: string; line_id: string; body: string; attempts: number }[]).map(
        (r) => ({
          random_id: r.random_id,
          line_id: r.line_id,
          body: JSON.parse(r.body) as RequestBody<'send'>,
          attempts: r.attempts,
        }),
      ),
    );
  }

  /** The image still to upload before the outbox entry `randomId` can be sent, if any. */
  pendingUpload(randomId: string): PendingUpload | null {
    return this.guard(() => (this.s.getUpload.get(randomId) as PendingUpload | undefined) ?? null);
  }

  /**
   * The image is on the server: the entry and its local echo now name the server's copy (so a retry
   * after a later refusal sends that, not the local path), and the local bytes go.
   */
  uploaded(randomId: string, content: OutgoingImage): RequestBody<'send'> | null {
    return this.guard(() =>
      this.db.transaction(() => {
        const row = this.s.getOutboxBody.get(randomId) as { body: string } | undefined;
        this.s.deleteUpload.run(randomId);
        if (!row) return null;
        const body = { ...(JSON.parse(row.body) as RequestBody<'send'>), content };
        this.s.setOutboxBody.run(JSON.stringify(body), randomId);
        this.s.setEchoContent.run(JSON.stringify(content), this.me, randomId);
        return body;
      })(),
    );
  }

  noteAttempt(randomId: string): void {
    this.guard(() => this.s.noteAttempt.run(randomId));
  }

  /** The server acknowledged a send: the echo becomes the server copy (unless the inbox got there first). */
  acknowledge(randomId: string, message: Message, line: Line): StoreChanges {
    return this.writing(() => {
      const changes = emptyChanges();
      this.upsertLine(line, changes);
      if (message.random_id === randomId) this.mergeMessage(message, changes);
      this.s.deleteOutbox.run(randomId);
      return changes;
    });
  }

  /** A permanent rejection: the message is marked failed with the reason and leaves the outbox. */
  fail(randomId: string, error: IpcErrorShape): LocalMessage | null {
    return this.guard(() =>
      this.db.transaction(() => {
        this.s.deleteOutbox.run(randomId);
        if (this.s.markFailed.run(JSON.stringify(error), this.me, randomId).changes === 0) return null;
        return this.messageByRandomId(randomId);
      })(),
    );
  }

  /** Put a failed message back into the outbox, at the end, with the same random_id. */
  retry(randomId: string, now: number): LocalMessage | null {
    return this.guard(() =>
      this.db.transaction(() => {
        const row = this.s.getFailed.get(this.me, randomId) as { line_id: string; content: string } | undefined;
        if (!row) return null;
        this.s.markSending.run(this.me, randomId);
        const body: RequestBody<'send'> = {
          random_id: randomId,
          line_id: row.line_id,
          content: JSON.parse(row.content) as OutgoingContent,
        };
        this.s.insertOutbox.run({
          random_id: randomId,
          line_id: row.line_id,
          body: JSON.stringify(body),
          created_at: now,
        });
        return this.messageByRandomId(randomId);
      })(),
    );
  }

  /** Delete a failed message; returns its line, or null when there is no such failed message. */
  deleteFailed(randomId: string): string | null {
    return this.guard(() => {
      const row = this.s.getFailed.get(this.me, randomId) as { line_id: string } | undefined;
      if (!row) return null;
      this.db.transaction(() => {
        this.s.deleteLocal.run(this.me, randomId);
        this.s.deleteUpload.run(randomId);
      })();
      return row.line_id;
    });
  }

  // ---- reads, mutes ------------------------------------------------------------------------------

  /**
   * Mark a line read up to its newest server message and, in the same transaction, keep the receipt
   * for the server until `readDelivered` (so one made offline survives a restart). Returns that
   * message id (to tell the server now, if connected) or null when the line has no server message.
   */
  markRead(lineId: string, now: number): string | null {
    return this.guard(() =>
      this.db.transaction(() => {
        const last = this.s.lastServerMessage.get(lineId) as { message_id: string; ord: number } | undefined;
        this.s.clearUnread.run(last?.ord ?? null, lineId);
        if (!last) return null;
        this.s.putPendingRead.run({ line_id: lineId, message_id: last.message_id, ord: last.ord, marked_at: now });
        return last.message_id;
      })(),
    );
  }

  /** Read receipts not yet acknowledged by the server, oldest first. */
  pendingReads(): { line_id: string; message_id: string }[] {
    return this.guard(() => this.s.listPendingReads.all() as { line_id: string; message_id: string }[]);
  }

  /** The server has the receipt (or refused it for good): forget it, unless a newer read replaced it meanwhile. */
  readDelivered(lineId: string, messageId: string): void {
    this.guard(() => this.s.deletePendingRead.run(lineId, messageId));
  }

  setMuted(lineId: string, muted: boolean, now: number): void {
    this.guard(() => (muted ? this.s.mute.run(lineId, now) : this.s.unmute.run(lineId)));
  }

  /** Keep a line's unsent text; an empty text forgets it. */
  setDraft(lineId: string, text: string, now: number): void {
    this.guard(() => (text ? this.s.putDraft.run(lineId, text, now) : this.s.deleteDraft.run(lineId)));
  }

  drafts(): Record<string, string> {
    return this.guard(() =>
      Object.fromEntries((this.s.drafts.all() as { line_id: string; text: string }[]).map((d) => [d.line_id, d.text])),
    );
  }

  isMuted(lineId: string): boolean {
    return this.guard(() => this.s.isMuted.get(lineId) !== undefined);
  }

  unreadOf(lineId: string): number | null {
    return this.guard(() => (this.s.unreadOf.get(lineId) as { unread: number } | undefined)?.unread ?? null);
  }

  /** The badge: unread over the lines waiting on me (countsTowardBadge in src-shared/ipc/unread.ts). */
  totalUnread(): number {
    const query = this.role === 'customer' ? this.s.totalUnreadAll : this.s.totalUnreadStaff;
    return this.guard(() => (query.get({ me: this.me }) as { total: number | null }).total ?? 0);
  }

  // ---- queries -----------------------------------------------------------------------------------

  line(lineId: string): LineView | null {
    return this.guard(() => {
      const row = this.s.getLine.get(lineId) as LineRow | undefined;
      return row ? this.lineView(row) : null;
    });
  }

  lines(filter: LineFilter = {}): LineView[] {
    return this.guard(() => {
      const rows = this.s.listLines.all({
        busi_type: filter.busi_type ?? null,
        status: filter.status ?? null,
        assignee: filter.mine ? this.me : null,
      }) as LineRow[];
      const lastIds = rows.map((r) => r.last_id).filter((id): id is number => id !== null);
      const last = new Map(this.messagesByRowIds(lastIds).map((m) => [m.id, m.message]));
      return rows.map((r) => toLineView(r, r.last_id === null ? null : (last.get(r.last_id) ?? null)));
    });
  }

  /**
   * Messages of a line, oldest first, strictly before `beforeKey` (a message key) when given.
   * `complete`: the store knows no server message is missing from this page (it lies inside the
   * line's known-complete window, migration 4), so the server need not be asked.
   */
  history(
    lineId: string,
    beforeKey: string | undefined,
    limit: number,
  ): { messages: LocalMessage[]; more: boolean; complete: boolean } {
    return this.guard(() => {
      let before = { ord: LOCAL_ORD + 1, id: 0 };
      if (beforeKey !== undefined) {
        const anchor = (
          beforeKey.startsWith('local:')
            ? this.s.positionByRandomId.get(this.me, beforeKey.slice('local:'.length))
            : this.s.positionByServerId.get(beforeKey)
        ) as { ord: number; id: number } | undefined;
        if (!anchor) return { messages: [], more: false, complete: false };
        before = anchor;
      }
      const rows = this.s.historyPage.all({
        line_id: lineId,
        ord: before.ord,
        id: before.id,
        limit: limit + 1,
      }) as MessageRow[];
      const more = rows.length > limit;
      const from = (this.s.getWindow.get(lineId) as { history_from_ord: number | null } | undefined)?.history_from_ord;
      // Older rows exist locally: complete if this page's oldest is inside the window. None: only if it reaches the start.
      const complete = from !== null && from !== undefined && (more ? rows[limit - 1]!.ord >= from : from === 0);
      return {
        messages: rows
          .slice(0, limit)
          .reverse()
          .map((r) => toLocalMessage(r, this.me)),
        more,
        complete,
      };
    });
  }

  messageByRandomId(randomId: string): LocalMessage | null {
    return this.guard(() => {
      const row = this.s.byRandomId.get(this.me, randomId) as MessageRow | undefined;
      return row ? toLocalMessage(row, this.me) : null;
    });
  }

  private messageByServerId(messageId: string): LocalMessage {
    return toLocalMessage(this.s.byServerId.get(messageId) as MessageRow, this.me);
  }

  /** Every message of a line in display order (tests and diagnostics). */
  allMessages(lineId: string): LocalMessage[] {
    return this.guard(() => (this.s.allOfLine.all(lineId) as MessageRow[]).map((r) => toLocalMessage(r, this.me)));
  }

  private lineView(row: LineRow): LineView {
    const last = row.last_id === null ? null : (this.messagesByRowIds([row.last_id])[0]?.message ?? null);
    return toLineView(row, last);
  }

  private messagesByRowIds(ids: readonly number[]): { id: number; message: LocalMessage }[] {
    if (ids.length === 0) return [];
    const rows = this.s.byRowIds.all(JSON.stringify(ids)) as MessageRow[];
    return rows.map((r) => ({ id: r.id, message: toLocalMessage(r, this.me) }));
  }

  /**
   * A write transaction that may insert messages: the rows it inserted are added to the search
   * index in one statement at its end (migration 5). Every message insert goes through
   * `insertMessage`, so the index never misses a row.
   */
  private writing<T>(fn: () => T): T {
    return this.guard(() =>
      this.db.transaction(() => {
        this.firstInserted = null;
        try {
          const result = fn();
          if (this.firstInserted !== null) this.s.indexMessagesFrom.run(this.firstInserted);
          return result;
        } finally {
          this.firstInserted = null;
        }
      })(),
    );
  }

  /**
   * Insert unless already there (de-duplication); true when inserted. SQLite gives a new row the
   * largest rowid + 1, so every row from the transaction's first insert on is one of its own,
   * even after a reset emptied the table and rowids start over.
   */
  private insertMessage(
    params: Omit<ReturnType<typeof messageParams>, 'message_id'> & { message_id: string | null },
  ): boolean {
    const inserted = this.s.insertMessage.run(params);
    if (inserted.changes === 0) return false;
    this.firstInserted ??= Number(inserted.lastInsertRowid);
    return true;
  }

  /** Run `fn`, turning any SQLite failure into a typed StoreError. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.path);
    }
  }
}

/** A line's place in the list: its last message, else its creation. */
function activityOf(line: Line): number {
  return line.last_message_at ?? line.created_at;
}

/** One line's message events within an inbox page (see `applyEvent`). */
interface PageLine {
  /** The newest snapshot. */
  line: Line;
  /** Every snapshot in the page let the line's messages reach this inbox (else its history window goes). */
  reaches: boolean;
  activity: number;
  /** Ords of new messages from the other side. */
  unreadOrds: number[];
}

function lineParams(line: Line, me: string) {
  return {
    reaches_me: reachesMe(line, me) ? 1 : 0,
    line_id: line.line_id,
    data: JSON.stringify(line),
    busi_type: line.busi_type,
    status: line.status,
    assignee: line.assignee,
    activity: activityOf(line),
    peer_read_ord: line.peer_read_message_id === null ? null : ordOf(line.peer_read_message_id),
  };
}

/**
 * Whether every new message of the line reaches this account's inbox (protocol §9 "Who receives
 * what"): the customer always; staff while the line is theirs or queued. Once a line is someone
 * else's its messages stop coming, so the store's history of it gets a hole.
 */
function reachesMe(line: Line, me: string): boolean {
  return line.uid === me || line.assignee === null || line.assignee === me;
}

const LINE_COLUMNS = `l.line_id, l.data, l.unread, (mu.line_id IS NOT NULL) AS muted,
  (SELECT m.id FROM messages m WHERE m.line_id = l.line_id ORDER BY m.ord DESC, m.id DESC LIMIT 1) AS last_id`;

function prepare(db: Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    getCursor: p(`SELECT epoch, seq FROM sync_cursor WHERE id = 1`),
    putCursor: p(`INSERT INTO sync_cursor (id, epoch, seq) VALUES (1, @epoch, @seq)
                  ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq`),
    // @unread_ords: new messages from the other side (JSON array of ords); those past my read pointer count.
    upsertLine: p(`INSERT INTO lines (line_id, data, busi_type, status, assignee, activity, peer_read_ord, unread)
                   VALUES (@line_id, @data, @busi_type, @status, @assignee, @activity, @peer_read_ord,
                     json_array_length(@unread_ords))
                   ON CONFLICT (line_id) DO UPDATE SET data = excluded.data, busi_type = excluded.busi_type,
                     status = excluded.status, assignee = excluded.assignee,
                     activity = MAX(lines.activity, excluded.activity),
                     peer_read_ord = MAX(COALESCE(lines.peer_read_ord, -1), COALESCE(excluded.peer_read_ord, -1)),
                     history_from_ord = CASE WHEN @reaches_me THEN lines.history_from_ord END,
                     unread = lines.unread + (SELECT COUNT(*) FROM json_each(@unread_ords)
                                              WHERE value > COALESCE(lines.read_ord, -1))`),
    insertLineIfMissing:
      p(`INSERT INTO lines (line_id, data, busi_type, status, assignee, activity, peer_read_ord, unread)
                   VALUES (@line_id, @data, @busi_type, @status, @assignee, @activity, @peer_read_ord, @unread)
                   ON CONFLICT (line_id) DO NOTHING`),
    touchLine: p(`UPDATE lines SET activity = MAX(activity, ?) WHERE line_id = ?`),
    getLineReach: p(`SELECT data FROM lines WHERE line_id = ?`),
    getWindow: p(`SELECT history_from_ord FROM lines WHERE line_id = ?`),
    forgetWindows: p(`UPDATE lines SET history_from_ord = NULL`),
    openWindow: p(
      `UPDATE lines SET history_from_ord = MIN(COALESCE(history_from_ord, @from), @from) WHERE line_id = @line_id`,
    ),
    extendWindow: p(`UPDATE lines SET history_from_ord = MIN(history_from_ord, @from)
                     WHERE line_id = @line_id AND history_from_ord <= @anchor`),
    getPeerRead: p(`SELECT peer_read_ord FROM lines WHERE line_id = ?`),
    advancePeerRead: p(`UPDATE lines SET peer_read_ord = ? WHERE line_id = ? AND COALESCE(peer_read_ord, -1) < ?`),
    advanceRead: p(`UPDATE lines SET read_ord = ? WHERE line_id = ? AND COALESCE(read_ord, -1) < ?`),
    recountUnread: p(`UPDATE lines SET unread = (SELECT COUNT(*) FROM messages m
                        WHERE m.line_id = @line_id AND m.sender <> @me AND m.message_id IS NOT NULL
                          AND m.random_id IS NOT NULL AND m.ord > COALESCE(lines.read_ord, -1))
                      WHERE line_id = @line_id`),
    bumpUnread: p(`UPDATE lines SET unread = unread + 1 WHERE line_id = ? AND COALESCE(read_ord, -1) < ?`),
    clearUnread: p(
      `UPDATE lines SET unread = 0, read_ord = MAX(COALESCE(read_ord, -1), COALESCE(?, -1)) WHERE line_id = ?`,
    ),
    indexMessagesFrom: p(
      `INSERT INTO messages_fts (rowid, search_text) SELECT id, search_text FROM messages WHERE id >= ?`,
    ),
    insertMessage:
      p(`INSERT INTO messages (message_id, ord, line_id, sender, sender_role, random_id, content, ts, state, search_text)
                      VALUES (@message_id, @ord, @line_id, @sender, @sender_role, @random_id, @content, @ts, @state, @search_text)
                      ON CONFLICT DO NOTHING`),
    replaceEcho:
      p(`UPDATE messages SET message_id = @message_id, ord = @ord, line_id = @line_id, content = @content, ts = @ts,
                      state = 'sent', error = NULL, search_text = @search_text
                    WHERE sender = @sender AND random_id = @random_id AND message_id IS NULL`),
    byServerId: p(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id WHERE m.message_id = ?`,
    ),
    byRandomId: p(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id WHERE m.sender = ? AND m.random_id = ?`,
    ),
    byRowIds: p(`SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id
                 WHERE m.id IN (SELECT value FROM json_each(?))`),
    myMessagesBetween: p(`SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id
                          WHERE m.line_id = @line_id AND m.sender = @me AND m.state = 'sent' AND m.ord > @from AND m.ord <= @to
                          ORDER BY m.ord DESC LIMIT @limit`),
    allOfLine: p(`SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id
                  WHERE m.line_id = ? ORDER BY m.ord, m.id`),
    historyPage: p(`SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id
                    WHERE m.line_id = @line_id AND (m.ord, m.id) < (@ord, @id)
                    ORDER BY m.ord DESC, m.id DESC LIMIT @limit`),
    positionByServerId: p(`SELECT ord, id FROM messages WHERE message_id = ?`),
    positionByRandomId: p(`SELECT ord, id FROM messages WHERE sender = ? AND random_id = ?`),
    lastServerMessage: p(
      `SELECT message_id, ord FROM messages WHERE line_id = ? AND message_id IS NOT NULL ORDER BY ord DESC LIMIT 1`,
    ),
    insertOutbox: p(`INSERT INTO outbox (random_id, position, line_id, body, created_at)
                     VALUES (@random_id, (SELECT COALESCE(MAX(position), 0) + 1 FROM outbox), @line_id, @body, @created_at)`),
    listOutbox: p(`SELECT random_id, line_id, body, attempts FROM outbox ORDER BY position`),
    noteAttempt: p(`UPDATE outbox SET attempts = attempts + 1 WHERE random_id = ?`),
    deleteOutbox: p(`DELETE FROM outbox WHERE random_id = ?`),
    getOutboxBody: p(`SELECT body FROM outbox WHERE random_id = ?`),
    setOutboxBody: p(`UPDATE outbox SET body = ? WHERE random_id = ?`),
    setEchoContent: p(`UPDATE messages SET content = ? WHERE sender = ? AND random_id = ? AND message_id IS NULL`),
    insertUpload: p(`INSERT INTO outbox_uploads (random_id, mime, bytes) VALUES (?, ?, ?)`),
    getUpload: p(`SELECT mime, bytes FROM outbox_uploads WHERE random_id = ?`),
    deleteUpload: p(`DELETE FROM outbox_uploads WHERE random_id = ?`),
    markFailed: p(
      `UPDATE messages SET state = 'failed', error = ? WHERE sender = ? AND random_id = ? AND message_id IS NULL`,
    ),
    markSending: p(`UPDATE messages SET state = 'sending', error = NULL WHERE sender = ? AND random_id = ?`),
    getFailed: p(`SELECT line_id, content FROM messages WHERE sender = ? AND random_id = ? AND state = 'failed'`),
    deleteLocal: p(`DELETE FROM messages WHERE sender = ? AND random_id = ? AND message_id IS NULL`),
    putPendingRead: p(`INSERT INTO pending_reads (line_id, message_id, ord, marked_at)
                       VALUES (@line_id, @message_id, @ord, @marked_at)
                       ON CONFLICT (line_id) DO UPDATE SET message_id = excluded.message_id, ord = excluded.ord,
                         marked_at = excluded.marked_at
                       WHERE excluded.ord > pending_reads.ord`),
    listPendingReads: p(`SELECT line_id, message_id FROM pending_reads ORDER BY marked_at, line_id`),
    deletePendingRead: p(`DELETE FROM pending_reads WHERE line_id = ? AND message_id = ?`),
    settlePendingRead: p(`DELETE FROM pending_reads WHERE line_id = ? AND ord <= ?`),
    mute: p(`INSERT INTO line_mutes (line_id, muted_at) VALUES (?, ?) ON CONFLICT DO NOTHING`),
    unmute: p(`DELETE FROM line_mutes WHERE line_id = ?`),
    isMuted: p(`SELECT 1 FROM line_mutes WHERE line_id = ?`),
    putDraft: p(`INSERT INTO drafts (line_id, text, updated_at) VALUES (?, ?, ?)
                 ON CONFLICT (line_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`),
    deleteDraft: p(`DELETE FROM drafts WHERE line_id = ?`),
    drafts: p(`SELECT line_id, text FROM drafts`),
    unreadOf: p(`SELECT unread FROM lines WHERE line_id = ?`),
    // countsTowardBadge (src-shared/ipc/unread.ts) by role: every line of a customer's; a staff member's own and the queue.
    totalUnreadAll: p(
      `SELECT SUM(unread) AS total FROM lines WHERE line_id NOT IN (SELECT line_id FROM line_mutes) AND @me IS NOT NULL`,
    ),
    totalUnreadStaff: p(`SELECT SUM(unread) AS total FROM lines
                         WHERE line_id NOT IN (SELECT line_id FROM line_mutes) AND (assignee IS NULL OR assignee = @me)`),
    getLine: p(
      `SELECT ${LINE_COLUMNS} FROM lines l LEFT JOIN line_mutes mu ON mu.line_id = l.line_id WHERE l.line_id = ?`,
    ),
    listLines: p(`SELECT ${LINE_COLUMNS} FROM lines l LEFT JOIN line_mutes mu ON mu.line_id = l.line_id
                  WHERE (@busi_type IS NULL OR l.busi_type = @busi_type) AND (@status IS NULL OR l.status = @status)
                    AND (@assignee IS NULL OR l.assignee = @assignee)
                  ORDER BY l.activity DESC, l.line_id`),
  };
}
