import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ImError,
  type Cursor,
  type InboxEvent,
  type LineObject,
  type LineStatus,
  type Message,
  type QuickReply,
  type Role,
} from '../../../src-shared/protocol';
import { chooseAssignee } from '../../domain/assignment';
import {
  assignedNotice,
  assigneeOf,
  previousStaff,
  transferredNotice,
  type NoticeContent,
  type StaffRef,
} from '../../domain/notices';
import { lineRecipients, messageRecipients, noticeRecipients, readRecipients } from '../../domain/recipients';
import {
  checkWaitAnnouncement,
  showsWaitToColleagues,
  waitAnnouncementRecipients,
  waitFlagAfterSend,
} from '../../domain/waits';
import type {
  Account,
  AccountWithSecret,
  InboxHead,
  InboxTrim,
  InboxTrimStep,
  LineQuery,
  LineRecord,
  LineWriteOutcome,
  NewAccount,
  SendInput,
  SendOutcome,
  StaffLoad,
  Store,
  SyncPage,
  WaitAnnouncement,
  WriteOutcome,
} from '../types';
import { EventJson } from '../event-json';
import { checkTrim, needsAgeProbe, needsTrim, trimUpTo } from '../inbox-trim';
import { migrate } from './migrations';
import {
  LINE_SELECT,
  toAccount,
  toAccountWithSecret,
  toLineRecord,
  toMessage,
  type LineRow,
  type MessageRow,
  type UserRow,
} from './rows';

export interface SqliteStoreOptions {
  /** Directory holding `im.sqlite` (created if missing). */
  dataDir: string;
  /** Default per-staff capacity for new staff accounts. */
  defaultCapacity?: number;
}

/** Ids are decimal integers here; anything else names nothing. */
function rowId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * The embedded default Store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each
 * write method is one `db.transaction` and the async signatures simply resolve with its result;
 * transactions never interleave within the process.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly defaultCapacity: number;
  private readonly pendingSends: Array<{
    input: SendInput;
    resolve: (o: SendOutcome) => void;
    reject: (e: Error) => void;
  }> = [];
  /** Prepared statements by SQL text: preparing is far costlier than running. */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * One transaction wrapper for every transaction: better-sqlite3 builds four closures per
   * `db.transaction(fn)`, which showed in profiles when done per send batch. Nested, it is a savepoint.
   */
  private readonly transaction: (fn: () => unknown) => unknown;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.db = new Database(join(options.dataDir, 'im.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (only power loss may lose the last ones).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    // Temporary journals (each send runs in its own savepoint, see flushSends) and sort space stay in
    // memory instead of temp files: about a fifth less CPU per send. Durability is the WAL's, unchanged.
    this.db.pragma('temp_store = MEMORY');
    this.defaultCapacity = options.defaultCapacity ?? 10;
    this.transaction = this.db.transaction((fn: () => unknown) => fn());
  }

  migrate(): Promise<void> {
    migrate(this.db);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  getOrCreateMeta(key: string, create: () => string): Promise<string> {
    return this.run(() => {
      this.sql('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, create());
      return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string }).value;
    });
  }

  // ---- directory ---------------------------------------------------------------------------------

  putMerchant(merchant: { merchant_id: string; name: string }, now: number): Promise<void> {
    return this.run(() => {
      this.sql(
        'INSERT INTO merchants (merchant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (merchant_id) DO UPDATE SET name = excluded.name',
      ).run(merchant.merchant_id, merchant.name, now);
    });
  }

  putObject(o: LineObject): Promise<void> {
    return this.run(() => {
      this.sql(
        `INSERT INTO objects (object_id, kind, title, merchant_id) VALUES (?, ?, ?, ?)
           ON CONFLICT (object_id) DO UPDATE SET kind = excluded.kind, title = excluded.title, merchant_id = excluded.merchant_id`,
      ).run(o.object_id, o.kind, o.title, o.merchant_id);
    });
  }

  getObject(objectId: string): Promise<LineObject | null> {
    return this.run(() => this.object(objectId));
  }

  ensureAccount(a: NewAccount, now: number): Promise<{ account: Account; created: boolean }> {
    return this.run(() =>
      this.atomically(() => {
        const existing = this.userByLogin(a.account);
        if (existing) return { account: toAccount(existing), created: false };
        const info = this.sql(
          'INSERT INTO users (account, password_hash, role, display_name, merchant_id, capacity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(
          a.account,
          a.password_hash,
          a.role,
          a.display_name,
          a.merchant_id,
          a.capacity ?? this.defaultCapacity,
          now,
        );
        const uid = Number(info.lastInsertRowid);
        this.sql('INSERT INTO inbox_heads (uid, epoch, seq) VALUES (?, ?, 0)').run(uid, newEpoch());
        return { account: toAccount(this.sql('SELECT * FROM users WHERE uid = ?').get(uid) as UserRow), created: true };
      }),
    );
  }

  findAccountByLogin(login: string): Promise<AccountWithSecret | null> {
    return this.run(() => {
      const row = this.userByLogin(login);
      return row ? toAccountWithSecret(row) : null;
    });
  }

  getAccount(uid: string): Promise<Account | null> {
    return this.run(() => {
      const row = this.user(uid);
      return row ? toAccount(row) : null;
    });
  }

  setAccountDisabled(uid: string, disabled: boolean): Promise<void> {
    return this.run(() => {
      this.sql('UPDATE users SET disabled = ? WHERE uid = ?').run(disabled ? 1 : 0, rowId(uid));
    });
  }

  listStaff(merchantId: string): Promise<StaffLoad[]> {
    return this.run(() => this.staffLoads(merchantId));
  }

  // ---- lines and messages -------------------------------------------------------------------------

  getLine(lineId: string): Promise<LineRecord | null> {
    return this.run(() => this.line(lineId));
  }

  listLines(q: LineQuery): Promise<{ lines: LineRecord[]; unread: Record<string, number> }> {
    return this.run(() => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.viewer.role === 'customer') {
        where.push('l.uid = ?');
        args.push(rowId(q.viewer.uid));
      } else {
        where.push('l.merchant_id = ?');
        args.push(q.viewer.merchant_id);
        if (q.mine) {
          where.push('l.assignee = ?');
          args.push(rowId(q.viewer.uid));
        }
      }
      if (q.status) {
        where.push('l.status = ?');
        args.push(q.status);
      }
      if (q.busi_type) {
        where.push('l.busi_type = ?');
        args.push(q.busi_type);
      }
      if (q.before !== undefined) {
        where.push('COALESCE(l.last_message_at, l.created_at) < ?');
        args.push(q.before);
      }
      const rows = this.sql(
        `${LINE_SELECT} WHERE ${where.join(' AND ')} ORDER BY COALESCE(l.last_message_at, l.created_at) DESC, l.line_id DESC LIMIT ?`,
      ).all(...args, q.limit) as LineRow[];
      const lines = rows.map(toLineRecord);
      const unread: Record<string, number> = {};
      const pointer = q.viewer.role === 'customer' ? 'customer_read_message_id' : 'staff_read_message_id';
      // System notices (no random_id) are context, not something a person is waiting on: not unread.
      const count = this.sql(
        `SELECT COUNT(*) AS n FROM messages m JOIN lines l ON l.line_id = m.line_id
         WHERE m.line_id = ? AND m.sender_role != ? AND m.random_id IS NOT NULL AND m.message_id > COALESCE(l.${pointer}, 0)`,
      );
      for (const line of lines)
        unread[line.line_id] = (count.get(rowId(line.line_id), q.viewer.role) as { n: number }).n;
      return { lines, unread };
    });
  }

  history(
    lineId: string,
    beforeMessageId: string | null,
    limit: number,
  ): Promise<{ messages: Message[]; more: boolean }> {
    return this.run(() => {
      const before = beforeMessageId === null ? Number.MAX_SAFE_INTEGER : (rowId(beforeMessageId) ?? 0);
      const rows = this.sql(
        'SELECT * FROM messages WHERE line_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT ?',
      ).all(rowId(lineId), before, limit + 1) as MessageRow[];
      const more = rows.length > limit;
      return { messages: rows.slice(0, limit).reverse().map(toMessage), more };
    });
  }

  /**
   * Group commit: sends arriving in the same event-loop turn share one outer transaction (one WAL
   * write instead of one per message); each runs in its own savepoint, so one failing send rolls
   * back only itself. Every caller is answered only after the shared commit.
   */
  send(input: SendInput): Promise<SendOutcome> {
    return new Promise((resolve, reject) => {
      this.pendingSends.push({ input, resolve, reject });
      if (this.pendingSends.length === 1) setImmediate(() => this.flushSends());
    });
  }

  private flushSends(): void {
    const batch = this.pendingSends.splice(0);
    const outcomes: Array<{ ok: true; value: SendOutcome } | { ok: false; error: Error }> = [];
    try {
      this.atomically(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.atomically(() => this.sendTx(item.input)) });
          } catch (err) {
            outcomes.push({ ok: false, error: asStoreError(err) });
          }
        }
      });
    } catch (err) {
      // The shared commit itself failed: nothing of the batch is stored.
      const error = asStoreError(err);
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  private sendTx(input: SendInput): SendOutcome {
    const { sender, now } = input;
    const senderId = rowId(sender.uid);
    const original = this.sql('SELECT * FROM messages WHERE sender = ? AND device_id = ? AND random_id = ?').get(
      senderId,
      input.device_id,
      input.random_id,
    ) as MessageRow | undefined;
    if (original) {
      const line = this.mustLine(String(original.line_id));
      return {
        message: toMessage(original),
        line,
        seq: original.sender_seq ?? 0,
        duplicate: true,
        heads: [],
        delivered_to: [],
      };
    }

    let line: LineRecord;
    let lineChanged = false;
    if ('to' in input.target) {
      const { object_id, busi_type } = input.target.to;
      const object = this.object(object_id);
      if (!object) throw new ImError('NOT_FOUND', `no object ${object_id}`);
      const created = this.sql(
        `INSERT INTO lines (uid, object_id, busi_type, merchant_id, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)
           ON CONFLICT (uid, object_id, busi_type) DO NOTHING`,
      ).run(senderId, object_id, busi_type, object.merchant_id, now);
      lineChanged = created.changes === 1;
      line = this.toLineByIdentity(senderId, object_id, busi_type);
    } else {
      line = this.mustLine(input.target.line_id);
    }
    const lineId = rowId(line.line_id);
    // The line is changed in memory and written once; it is not read back.
    line = { ...line };
    const reopened = line.status === 'resolved';
    if (reopened) {
      line.status = 'open';
      lineChanged = true;
    }
    const previousAssignee = line.assignee;
    // The policy chose someone for the customer: a notice follows their message. (Staff replying claim it.)
    let autoAssigned = false;
    if (line.assignee === null || reopened) {
      const chosen =
        sender.role === 'staff'
          ? { uid: sender.uid, name: sender.display_name }
          : this.pickAssignee(line, input.onlineStaff, input.stickyWindowMs, now);
      if ((chosen?.uid ?? null) !== line.assignee) {
        if (chosen) this.sql('UPDATE users SET last_assigned_at = ? WHERE uid = ?').run(now, rowId(chosen.uid));
        line.assignee = chosen?.uid ?? null;
        line.assignee_name = chosen?.name ?? null;
        lineChanged = true;
        autoAssigned = sender.role === 'customer' && chosen !== null;
      }
    }

    const contentJson = JSON.stringify(input.content);
    const info = this.sql(
      'INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(lineId, senderId, sender.role, input.device_id, input.random_id, contentJson, now);
    const message: Message = {
      message_id: String(info.lastInsertRowid),
      line_id: line.line_id,
      sender: sender.uid,
      sender_role: sender.role,
      random_id: input.random_id,
      content: input.content,
      ts: now,
    };
    line.last_message_at = now;
    // waiting_since: the oldest customer message staff has not answered yet.
    line.waiting_since = sender.role === 'customer' ? (line.waiting_since ?? now) : null;
    // Colleagues hear of a wait once it went long (announceWaits); of its end only if they heard of it.
    const wait = waitFlagAfterSend(line, lineChanged);
    line.waiting_announced = wait.waiting_announced;
    if (wait.announceEnd) lineChanged = true;
    if (reopened || line.assignee !== previousAssignee) {
      this.sql(
        'UPDATE lines SET status = ?, assignee = ?, last_message_at = ?, waiting_since = ?, waiting_announced = ? WHERE line_id = ?',
      ).run(
        line.status,
        line.assignee === null ? null : rowId(line.assignee),
        now,
        line.waiting_since,
        line.waiting_announced ? 1 : 0,
        lineId,
      );
    } else {
      // Setting status and assignee to what they are would still rewrite their index entry (a page per send).
      this.sql('UPDATE lines SET last_message_at = ?, waiting_since = ?, waiting_announced = ? WHERE line_id = ?').run(
        now,
        line.waiting_since,
        line.waiting_announced ? 1 : 0,
        lineId,
      );
    }

    // Merchant staff matter only while the line is queued (they all get the message) or when it changed.
    const staff = line.assignee === null || lineChanged ? this.activeStaff(line.merchant_id) : [];
    const recipients = messageRecipients(line, staff, sender.uid);
    const heads: InboxHead[] = [];
    let seq = 0;
    const json = new EventJson(line);
    const messageJson = JSON.stringify(message);
    for (const uid of recipients) {
      const head = this.append(uid, (n) => json.message(n, messageJson, roleOn(line, uid)), now);
      heads.push(head);
      if (uid === sender.uid) seq = head.seq;
    }
    const informed = new Set(recipients);
    if (autoAssigned) {
      const notice = this.appendNotice(line, assignedNotice(assigneeOf(line)), previousAssignee, now);
      heads.push(...notice.heads);
      for (const uid of notice.recipients) informed.add(uid);
    }
    if (lineChanged) heads.push(...this.appendLineEvents(line, staff, now, informed));
    this.sql('UPDATE messages SET sender_seq = ? WHERE message_id = ?').run(seq, info.lastInsertRowid);
    return { message, line, seq, duplicate: false, heads, delivered_to: recipients.filter((u) => u !== sender.uid) };
  }

  markRead(input: { line_id: string; reader: Account; message_id: string; now: number }): Promise<WriteOutcome> {
    return this.run(() =>
      this.atomically((): WriteOutcome => {
        const line = this.mustLine(input.line_id);
        const messageId = rowId(input.message_id);
        const inLine = this.sql('SELECT 1 FROM messages WHERE message_id = ? AND line_id = ?').get(
          messageId,
          rowId(line.line_id),
        );
        if (!inLine || messageId === null)
          throw new ImError('NOT_FOUND', `no message ${input.message_id} in line ${line.line_id}`);
        const column = input.reader.role === 'customer' ? 'customer_read_message_id' : 'staff_read_message_id';
        const moved = this.sql(`UPDATE lines SET ${column} = ? WHERE line_id = ? AND COALESCE(${column}, 0) < ?`).run(
          messageId,
          rowId(line.line_id),
          messageId,
        );
        if (moved.changes === 0) return { heads: [] };
        const heads = readRecipients(line, input.reader.uid).map((uid) =>
          this.append(
            uid,
            (n) =>
              JSON.stringify({
                kind: 'read',
                seq: n,
                line_id: line.line_id,
                reader: input.reader.uid,
                message_id: input.message_id,
              } satisfies InboxEvent),
            input.now,
          ),
        );
        return { heads };
      }),
    );
  }

  transfer(input: { line_id: string; to: string; now: number }): Promise<LineWriteOutcome> {
    return this.run(() =>
      this.atomically((): LineWriteOutcome => {
        const before = this.mustLine(input.line_id);
        const target = this.user(input.to);
        if (!target || target.role !== 'staff' || target.merchant_id !== before.merchant_id || target.disabled) {
          throw new ImError('INVALID_ARGUMENT', 'transfer target is not an active staff member of this merchant');
        }
        if (before.assignee === input.to) return { line: before, heads: [] };
        this.setAssignee(before.line_id, input.to, input.now);
        const line = this.settleWaitFlag(this.mustLine(before.line_id));
        const notice = this.appendNotice(
          line,
          transferredNotice(assigneeOf(line), previousStaff(before)),
          before.assignee,
          input.now,
        );
        const heads = [
          ...notice.heads,
          ...this.appendLineEvents(line, this.activeStaff(line.merchant_id), input.now, new Set(notice.recipients)),
        ];
        return { line, heads };
      }),
    );
  }

  setStatus(input: { line_id: string; status: LineStatus; now: number }): Promise<LineWriteOutcome> {
    return this.run(() =>
      this.atomically((): LineWriteOutcome => {
        const before = this.mustLine(input.line_id);
        if (before.status === input.status) return { line: before, heads: [] };
        this.sql('UPDATE lines SET status = ? WHERE line_id = ?').run(input.status, rowId(before.line_id));
        const line = this.settleWaitFlag(this.mustLine(before.line_id));
        return { line, heads: this.appendLineEvents(line, this.activeStaff(line.merchant_id), input.now) };
      }),
    );
  }

  assignQueued(input: {
    merchant_id: string;
    onlineStaff: ReadonlySet<string>;
    now: number;
    stickyWindowMs: number;
  }): Promise<LineWriteOutcome[]> {
    return this.run(() =>
      this.atomically((): LineWriteOutcome[] => {
        const queued = this.sql(
          `SELECT line_id FROM lines WHERE merchant_id = ? AND assignee IS NULL AND status != 'resolved'
             ORDER BY COALESCE(waiting_since, created_at), line_id`,
        ).all(input.merchant_id) as Array<{ line_id: number }>;
        const out: LineWriteOutcome[] = [];
        for (const { line_id } of queued) {
          const before = this.mustLine(String(line_id));
          const assignee = this.pickAssignee(before, input.onlineStaff, input.stickyWindowMs, input.now);
          if (assignee === null) break;
          this.setAssignee(before.line_id, assignee.uid, input.now);
          const line = this.settleWaitFlag(this.mustLine(before.line_id));
          const notice = this.appendNotice(line, assignedNotice(assigneeOf(line)), null, input.now);
          const staff = this.activeStaff(line.merchant_id);
          out.push({
            line,
            heads: [...notice.heads, ...this.appendLineEvents(line, staff, input.now, new Set(notice.recipients))],
          });
        }
        return out;
      }),
    );
  }

  announceWaits(input: WaitAnnouncement): Promise<LineWriteOutcome[]> {
    return this.run(() => {
      checkWaitAnnouncement(input);
      // One short transaction per batch: at most `limit` lines and their colleagues' events.
      return this.atomically((): LineWriteOutcome[] => {
        const rows = this.sql(
          `${LINE_SELECT} WHERE l.waiting_since <= ? AND l.waiting_announced = 0 AND l.assignee IS NOT NULL
             AND l.status != 'resolved' ORDER BY l.waiting_since, l.line_id LIMIT ?`,
        ).all(input.cutoff, input.limit) as LineRow[];
        const staffOf = new Map<string, string[]>();
        return rows.map((row): LineWriteOutcome => {
          const line: LineRecord = { ...toLineRecord(row), waiting_announced: true };
          this.sql('UPDATE lines SET waiting_announced = 1 WHERE line_id = ?').run(row.line_id);
          let staff = staffOf.get(line.merchant_id);
          if (!staff) staffOf.set(line.merchant_id, (staff = this.activeStaff(line.merchant_id)));
          const json = new EventJson(line);
          const heads = waitAnnouncementRecipients(line, staff).map((uid) =>
            this.append(uid, (n) => json.lineChange(n, roleOn(line, uid)), input.now),
          );
          return { line, heads };
        });
      });
    });
  }

  // ---- inbox ----------------------------------------------------------------------------------------

  inboxHead(uid: string): Promise<Cursor> {
    return this.run(() => this.head(uid));
  }

  sync(uid: string, cursor: Cursor | null, limit: number): Promise<SyncPage> {
    return this.run(() => {
      const id = rowId(uid);
      // The head and the oldest retained event (an index probe) in one statement: every statement
      // outside a transaction is a read transaction of its own, and that costs more than the probe.
      // A cursor whose next event was trimmed cannot continue.
      const head = this.sql(
        'SELECT epoch, seq, (SELECT MIN(seq) FROM inbox WHERE uid = h.uid) AS low FROM inbox_heads h WHERE uid = ?',
      ).get(id) as (Cursor & { low: number | null }) | undefined;
      if (!head) throw new ImError('NOT_FOUND', `no inbox for ${uid}`);
      const floor = head.low ?? head.seq + 1;
      const recovered =
        cursor !== null && cursor.epoch === head.epoch && cursor.seq <= head.seq && cursor.seq >= floor - 1;
      const from = recovered ? cursor.seq : floor - 1;
      // Nothing lies past the head: a caught-up cursor (every held poll starts with one) needs no read.
      const rows =
        from >= head.seq
          ? []
          : (this.sql('SELECT event FROM inbox WHERE uid = ? AND seq > ? ORDER BY seq LIMIT ?').all(
              id,
              from,
              limit,
            ) as Array<{ event: string }>);
      const events = rows.map((r) => JSON.parse(r.event) as InboxEvent);
      const last = events.length > 0 ? events[events.length - 1]!.seq : from;
      return {
        outcome: recovered ? 'recovered' : 'reset',
        epoch: head.epoch,
        events,
        next: { epoch: head.epoch, seq: last },
        more: last < head.seq,
      };
    });
  }

  trimInbox(input: InboxTrim): Promise<InboxTrimStep> {
    return this.run(() => {
      checkTrim(input);
      const from = input.from === null ? 0 : (rowId(input.from) ?? 0);
      // One inbox more than asked for: its uid is where the next step starts.
      const inboxes = this.sql(
        `SELECT h.uid, h.seq AS head, i.seq AS low, i.created_at AS lowAt
           FROM inbox_heads h LEFT JOIN inbox i ON i.uid = h.uid AND i.seq = (SELECT MIN(seq) FROM inbox WHERE uid = h.uid)
          WHERE h.uid >= ? ORDER BY h.uid LIMIT ?`,
      ).all(from, input.users + 1) as Array<{ uid: number; head: number; low: number | null; lowAt: number | null }>;
      const following = inboxes.length > input.users ? String(inboxes.pop()!.uid) : null;
      // One short transaction per step: at most `limit` deletes, so sends wait milliseconds at most.
      return this.atomically((): InboxTrimStep => {
        let budget = input.limit;
        let deleted = 0;
        for (const inbox of inboxes) {
          if (!needsTrim(inbox, input)) continue;
          const c = { head: inbox.head, low: inbox.low! };
          const young = needsAgeProbe(c, input, budget)
            ? (
                this.sql(
                  'SELECT MIN(seq) AS seq FROM inbox WHERE uid = ? AND seq >= ? AND seq < ? AND created_at >= ?',
                ).get(inbox.uid, c.low, c.low + budget, input.olderThan) as { seq: number | null }
              ).seq
            : null;
          const upTo = trimUpTo(c, input, budget, young);
          const gone = this.sql('DELETE FROM inbox WHERE uid = ? AND seq < ?').run(inbox.uid, upTo).changes;
          deleted += gone;
          // The window ran out: this inbox may hold more, so the next step starts with it again.
          if (upTo === c.low + budget) return { deleted, next: String(inbox.uid) };
          budget -= gone;
        }
        return { deleted, next: following };
      });
    });
  }

  // ---- quick replies ------------------------------------------------------------------------------

  listQuickReplies(owner: string): Promise<QuickReply[]> {
    return this.run(() =>
      (
        this.sql('SELECT id, title, text FROM quick_replies WHERE owner = ? ORDER BY title, id').all(
          rowId(owner),
        ) as Array<{ id: number; title: string; text: string }>
      ).map((r) => ({ id: String(r.id), title: r.title, text: r.text })),
    );
  }

  putQuickReply(
    owner: string,
    reply: { id?: string; title: string; text: string },
    now: number,
  ): Promise<QuickReply | null> {
    return this.run(() => {
      if (reply.id === undefined) {
        const info = this.sql('INSERT INTO quick_replies (owner, title, text, updated_at) VALUES (?, ?, ?, ?)').run(
          rowId(owner),
          reply.title,
          reply.text,
          now,
        );
        return { id: String(info.lastInsertRowid), title: reply.title, text: reply.text };
      }
      const info = this.sql(
        'UPDATE quick_replies SET title = ?, text = ?, updated_at = ? WHERE id = ? AND owner = ?',
      ).run(reply.title, reply.text, now, rowId(reply.id), rowId(owner));
      return info.changes === 1 ? { id: reply.id, title: reply.title, text: reply.text } : null;
    });
  }

  deleteQuickReply(owner: string, id: string): Promise<boolean> {
    return this.run(
      () => this.sql('DELETE FROM quick_replies WHERE id = ? AND owner = ?').run(rowId(id), rowId(owner)).changes === 1,
    );
  }

  // ---- helpers (run inside the caller's transaction) ------------------------------------------------

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /** `fn` in a transaction (a savepoint inside another one): committed if it returns, rolled back if it throws. */
  private atomically<T>(fn: () => T): T {
    return this.transaction(fn) as T;
  }

  /** Run synchronously and settle the promise with the result or the thrown error. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(asStoreError(err));
    }
  }

  private object(objectId: string): LineObject | null {
    return (
      (this.sql('SELECT object_id, kind, title, merchant_id FROM objects WHERE object_id = ?').get(objectId) as
        LineObject | undefined) ?? null
    );
  }

  private user(uid: string): UserRow | null {
    const id = rowId(uid);
    return id === null
      ? null
      : ((this.sql('SELECT * FROM users WHERE uid = ?').get(id) as UserRow | undefined) ?? null);
  }

  private userByLogin(login: string): UserRow | null {
    return (this.sql('SELECT * FROM users WHERE account = ?').get(login) as UserRow | undefined) ?? null;
  }

  private line(lineId: string): LineRecord | null {
    const id = rowId(lineId);
    if (id === null) return null;
    const row = this.sql(`${LINE_SELECT} WHERE l.line_id = ?`).get(id) as LineRow | undefined;
    return row ? toLineRecord(row) : null;
  }

  private mustLine(lineId: string): LineRecord {
    const line = this.line(lineId);
    if (!line) throw new ImError('NOT_FOUND', `no line ${lineId}`);
    return line;
  }

  private toLineByIdentity(uid: number | null, objectId: string, busiType: string): LineRecord {
    const row = this.sql(`${LINE_SELECT} WHERE l.uid = ? AND l.object_id = ? AND l.busi_type = ?`).get(
      uid,
      objectId,
      busiType,
    ) as LineRow;
    return toLineRecord(row);
  }

  private staffLoads(merchantId: string): StaffLoad[] {
    const rows = this.sql(
      `SELECT u.uid, u.display_name, u.capacity, u.disabled, u.last_assigned_at,
                (SELECT COUNT(*) FROM lines l WHERE l.assignee = u.uid AND l.status IN ('open', 'pending')) AS open_lines
         FROM users u WHERE u.role = 'staff' AND u.merchant_id = ? ORDER BY u.uid`,
    ).all(merchantId) as Array<{
      uid: number;
      display_name: string;
      capacity: number;
      disabled: number;
      last_assigned_at: number | null;
      open_lines: number;
    }>;
    return rows.map((r) => ({ ...r, uid: String(r.uid), disabled: r.disabled !== 0 }));
  }

  private activeStaff(merchantId: string): string[] {
    return (
      this.sql("SELECT uid FROM users WHERE role = 'staff' AND merchant_id = ? AND disabled = 0").all(
        merchantId,
      ) as Array<{ uid: number }>
    ).map((r) => String(r.uid));
  }

  /** Run the pure assignment policy over this merchant's current loads. */
  private pickAssignee(
    line: LineRecord,
    online: ReadonlySet<string>,
    stickyWindowMs: number,
    now: number,
  ): StaffRef | null {
    const recent = this.sql(
      `SELECT assignee FROM lines WHERE uid = ? AND merchant_id = ? AND assignee IS NOT NULL
           AND COALESCE(last_message_at, created_at) >= ?
         ORDER BY COALESCE(last_message_at, created_at) DESC, line_id DESC LIMIT 1`,
    ).get(rowId(line.uid), line.merchant_id, now - stickyWindowMs) as { assignee: number } | undefined;
    const staff = this.staffLoads(line.merchant_id).map((s) => ({ ...s, online: online.has(s.uid) }));
    const chosen = chooseAssignee({ staff, recent: recent ? String(recent.assignee) : null });
    const member = staff.find((s) => s.uid === chosen);
    return member ? { uid: member.uid, name: member.display_name } : null;
  }

  private setAssignee(lineId: string, assignee: string | null, now: number): void {
    this.sql('UPDATE lines SET assignee = ? WHERE line_id = ?').run(
      assignee === null ? null : rowId(assignee),
      rowId(lineId),
    );
    if (assignee !== null) this.sql('UPDATE users SET last_assigned_at = ? WHERE uid = ?').run(now, rowId(assignee));
  }

  /**
   * The line just changed and every staff member gets its snapshot: the flag follows what that
   * snapshot shows them (domain/waits.ts), so a wait they saw is ended for them too.
   */
  private settleWaitFlag(line: LineRecord): LineRecord {
    const shown = showsWaitToColleagues(line);
    if (shown === line.waiting_announced) return line;
    this.sql('UPDATE lines SET waiting_announced = ? WHERE line_id = ?').run(shown ? 1 : 0, rowId(line.line_id));
    return { ...line, waiting_announced: shown };
  }

  private appendLineEvents(
    line: LineRecord,
    staff: string[],
    now: number,
    skip: ReadonlySet<string> = new Set(),
  ): InboxHead[] {
    const json = new EventJson(line);
    return lineRecipients(line, staff)
      .filter((uid) => !skip.has(uid))
      .map((uid) => this.append(uid, (n) => json.lineChange(n, roleOn(line, uid)), now));
  }

  /**
   * A system notice in the line, in the name of the new assignee (no random_id), and its message
   * events; `line` already shows the change.
   */
  private appendNotice(
    line: LineRecord,
    content: NoticeContent,
    previousAssignee: string | null,
    now: number,
  ): { heads: InboxHead[]; recipients: string[] } {
    const sender = assigneeOf(line).uid;
    const info = this.sql(
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (?, ?, 'staff', 'system', NULL, ?, ?)",
    ).run(rowId(line.line_id), rowId(sender), JSON.stringify(content), now);
    const message: Message = {
      message_id: String(info.lastInsertRowid),
      line_id: line.line_id,
      sender,
      sender_role: 'staff',
      random_id: null,
      content,
      ts: now,
    };
    const recipients = noticeRecipients(line, previousAssignee);
    const json = new EventJson(line);
    const messageJson = JSON.stringify(message);
    const heads = recipients.map((uid) =>
      this.append(uid, (n) => json.message(n, messageJson, roleOn(line, uid)), now),
    );
    return { heads, recipients };
  }

  /** Append one event (its JSON, built for its seq) to a user's inbox at head.seq + 1; the head carries it. */
  private append(uid: string, json: (seq: number) => string, now: number): InboxHead {
    const id = rowId(uid);
    const { seq } = this.sql('UPDATE inbox_heads SET seq = seq + 1 WHERE uid = ? RETURNING seq').get(id) as {
      seq: number;
    };
    const event = json(seq);
    this.sql('INSERT INTO inbox (uid, seq, event, created_at) VALUES (?, ?, ?, ?)').run(id, seq, event, now);
    return { uid, seq, event };
  }

  private head(uid: string): Cursor {
    const row = this.sql('SELECT epoch, seq FROM inbox_heads WHERE uid = ?').get(rowId(uid)) as Cursor | undefined;
    if (!row) throw new ImError('NOT_FOUND', `no inbox for ${uid}`);
    return row;
  }
}

/** On a line the customer is the only customer; every other participant views it as staff. */
function roleOn(line: LineRecord, uid: string): Role {
  return uid === line.uid ? 'customer' : 'staff';
}

/** Database trouble a retry may fix becomes STORAGE_UNAVAILABLE; anything else stays as thrown (a bug). */
function asStoreError(err: unknown): Error {
  if (err instanceof ImError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (
    /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code) ||
    /database connection is not open/.test(message)
  ) {
    return new ImError('STORAGE_UNAVAILABLE', 'the database is unavailable', 1000);
  }
  return err instanceof Error ? err : new Error(message);
}
