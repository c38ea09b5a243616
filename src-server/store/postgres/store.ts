import { randomBytes } from 'node:crypto';
import {
  ImError,
  type Cursor,
  type InboxEvent,
  type LineObject,
  type LineStatus,
  type QuickReply,
  type Role,
} from '../../../src-shared/protocol';
import { chooseAssignee } from '../../domain/assignment';
import { renderLine } from '../../domain/line';
import { assignedNotice, assigneeOf, previousStaff, transferredNotice, type NoticeContent } from '../../domain/notices';
import { lineRecipients, messageRecipients, noticeRecipients, readRecipients } from '../../domain/recipients';
import {
  checkWaitAnnouncement,
  showsWaitToColleagues,
  waitAnnouncementRecipients,
  waitFlagAfterSend,
} from '../../domain/waits';
import { LINE_SELECT, toLineRecord, toMessage, type LineRow, type MessageRow } from '../sqlite/rows';
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
import { checkTrim, needsAgeProbe, needsTrim, trimUpTo } from '../inbox-trim';
import { PgDatabase, type PgDatabaseOptions, type Queryable } from './db';
import { migratePg } from './migrations';
import { RetryTransaction } from './transient';

export interface PostgresStoreOptions extends PgDatabaseOptions {
  /** Default per-staff capacity for new staff accounts. */
  defaultCapacity?: number;
}

interface UserRow {
  uid: number;
  account: string;
  password_hash: string;
  role: Role;
  display_name: string;
  merchant_id: string | null;
  capacity: number;
  disabled: boolean;
}

/** One inbox event to append; its seq is known only once the head row is locked. */
interface Append {
  uid: string;
  build: (seq: number) => InboxEvent;
}

/**
 * The appends at their seqs, each with its event's JSON: stored as is, and carried by the hub so
 * listeners already at `seq - 1` push it without reading it back.
 */
function headsOf(appends: readonly Append[], seqs: readonly number[]): Required<InboxHead>[] {
  return appends.map((a, i) => ({ uid: a.uid, seq: seqs[i]!, event: JSON.stringify(a.build(seqs[i]!)) }));
}

/**
 * Column lists instead of `*`: statements are prepared per connection, and a prepared `SELECT *`
 * fails once a rolling upgrade adds a column ("cached plan must not change result type").
 */
const USER_COLUMNS = 'uid, account, password_hash, role, display_name, merchant_id, capacity, disabled';
const MESSAGE_COLUMNS = 'message_id, line_id, sender, sender_role, random_id, content, ts, sender_seq';

/** Queued lines one assignQueued call looks at (the rest wait for the next trigger or repair pass). */
const ASSIGN_BATCH = 200;

/** Ids are decimal integers here; anything else names nothing. */
function rowId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

function toAccount(row: UserRow): Account {
  return {
    uid: String(row.uid),
    account: row.account,
    role: row.role,
    display_name: row.display_name,
    merchant_id: row.merchant_id,
    capacity: row.capacity,
    disabled: row.disabled,
  };
}

/**
 * The cluster Store: PostgreSQL shared by every node, with the same semantics as the SQLite store
 * under concurrent writers on several nodes. Writers serialise on row locks, always taken in one
 * order so they cannot deadlock: line(s) → merchant (assignment only) → staff user rows → inbox
 * heads (sorted by uid, in one statement). Consequences:
 * - an inbox seq is `head.seq + 1` taken under the head's row lock in the write's own transaction:
 *   no gaps (a rollback undoes the increment), no duplicates, and seq n+1 commits after seq n;
 * - writes to one line are serialised by its row lock, so message ids and inbox order follow the line;
 * - a customer's message that needs an assignee holds the merchant row, so capacity is counted by one
 *   writer at a time across all nodes and no line is assigned twice;
 * - idempotent send and one-line-per-identity rest on unique indexes with ON CONFLICT.
 */
export class PostgresStore implements Store {
  readonly db: PgDatabase;
  private readonly defaultCapacity: number;

  constructor(options: PostgresStoreOptions) {
    this.db = new PgDatabase(options);
    this.defaultCapacity = options.defaultCapacity ?? 10;
  }

  async migrate(): Promise<void> {
    await this.db.withClient(async (client) => {
      const { schema } = this.db;
      if (schema !== null) {
        // Nodes that start together would race on CREATE SCHEMA IF NOT EXISTS (a unique violation): take turns.
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [`im-schema:${schema}`]);
        try {
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`im-schema:${schema}`]);
        }
      }
      await migratePg(client);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  getOrCreateMeta(key: string, create: () => string): Promise<string> {
    return this.db.tx(async (q) => {
      await q.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
      return (await q.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]!.value;
    });
  }

  // ---- directory ---------------------------------------------------------------------------------

  async putMerchant(merchant: { merchant_id: string; name: string }, now: number): Promise<void> {
    await this.db.read((q) =>
      q.query(
        'INSERT INTO merchants (merchant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (merchant_id) DO UPDATE SET name = EXCLUDED.name',
        [merchant.merchant_id, merchant.name, now],
      ),
    );
  }

  async putObject(o: LineObject): Promise<void> {
    await this.db.read((q) =>
      q.query(
        `INSERT INTO objects (object_id, kind, title, merchant_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (object_id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, merchant_id = EXCLUDED.merchant_id`,
        [o.object_id, o.kind, o.title, o.merchant_id],
      ),
    );
  }

  getObject(objectId: string): Promise<LineObject | null> {
    return this.db.read((q) => this.object(q, objectId));
  }

  ensureAccount(a: NewAccount, now: number): Promise<{ account: Account; created: boolean }> {
    return this.db.tx(async (q) => {
      const inserted = await q.query<UserRow>(
        `INSERT INTO users (account, password_hash, role, display_name, merchant_id, capacity, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account) DO NOTHING RETURNING ${USER_COLUMNS}`,
        [a.account, a.password_hash, a.role, a.display_name, a.merchant_id, a.capacity ?? this.defaultCapacity, now],
      );
      const row = inserted.rows[0];
      if (!row) return { account: toAccount((await this.userByLogin(q, a.account))!), created: false };
      await q.query('INSERT INTO inbox_heads (uid, epoch, seq) VALUES ($1, $2, 0)', [row.uid, newEpoch()]);
      return { account: toAccount(row), created: true };
    });
  }

  findAccountByLogin(login: string): Promise<AccountWithSecret | null> {
    return this.db.read(async (q) => {
      const row = await this.userByLogin(q, login);
      return row ? { ...toAccount(row), password_hash: row.password_hash } : null;
    });
  }

  getAccount(uid: string): Promise<Account | null> {
    return this.db.read(async (q) => {
      const row = await this.user(q, uid);
      return row ? toAccount(row) : null;
    });
  }

  async setAccountDisabled(uid: string, disabled: boolean): Promise<void> {
    await this.db.read((q) => q.query('UPDATE users SET disabled = $1 WHERE uid = $2', [disabled, rowId(uid)]));
  }

  listStaff(merchantId: string): Promise<StaffLoad[]> {
    return this.db.read((q) => this.staffLoads(q, merchantId));
  }

  // ---- lines and messages -------------------------------------------------------------------------

  getLine(lineId: string): Promise<LineRecord | null> {
    return this.db.read((q) => this.line(q, lineId));
  }

  listLines(query: LineQuery): Promise<{ lines: LineRecord[]; unread: Record<string, number> }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown): string => {
      args.push(v);
      return `$${args.length}`;
    };
    if (query.viewer.role === 'customer') {
      where.push(`l.uid = ${arg(rowId(query.viewer.uid))}`);
    } else {
      where.push(`l.merchant_id = ${arg(query.viewer.merchant_id)}`);
      if (query.mine) where.push(`l.assignee = ${arg(rowId(query.viewer.uid))}`);
    }
    if (query.status) where.push(`l.status = ${arg(query.status)}`);
    if (query.busi_type) where.push(`l.busi_type = ${arg(query.busi_type)}`);
    if (query.before !== undefined) where.push(`COALESCE(l.last_message_at, l.created_at) < ${arg(query.before)}`);
    const pointer = query.viewer.role === 'customer' ? 'customer_read_message_id' : 'staff_read_message_id';
    // System notices (no random_id) are context, not something a person is waiting on: not unread.
    const sql = `
      SELECT x.*, (SELECT COUNT(*) FROM messages m
                   WHERE m.line_id = x.line_id AND m.sender_role <> ${arg(query.viewer.role)} AND m.random_id IS NOT NULL
                     AND m.message_id > COALESCE(x.${pointer}, 0)) AS unread
      FROM (${LINE_SELECT} WHERE ${where.join(' AND ')}
            ORDER BY COALESCE(l.last_message_at, l.created_at) DESC, l.line_id DESC LIMIT ${arg(query.limit)}) x
      ORDER BY COALESCE(x.last_message_at, x.created_at) DESC, x.line_id DESC`;
    return this.db.read(async (q) => {
      const { rows } = await q.query<LineRow & { unread: number }>(sql, args);
      const unread: Record<string, number> = {};
      const lines = rows.map((row) => {
        unread[String(row.line_id)] = row.unread;
        return toLineRecord(row);
      });
      return { lines, unread };
    });
  }

  history(
    lineId: string,
    beforeMessageId: string | null,
    limit: number,
  ): Promise<{ messages: ReturnType<typeof toMessage>[]; more: boolean }> {
    const before = beforeMessageId === null ? Number.MAX_SAFE_INTEGER : (rowId(beforeMessageId) ?? 0);
    return this.db.read(async (q) => {
      const { rows } = await q.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE line_id = $1 AND message_id < $2 ORDER BY message_id DESC LIMIT $3`,
        [rowId(lineId), before, limit + 1],
      );
      return { messages: rows.slice(0, limit).reverse().map(toMessage), more: rows.length > limit };
    });
  }

  send(input: SendInput): Promise<SendOutcome> {
    let attempt = 0;
    return this.db.tx((q) => this.sendTx(q, input, ++attempt > 1));
  }

  /**
   * Five round trips on the common path (a message on an assigned line): BEGIN; lock the line and
   * reserve the message id; update the line and bump the inbox heads; store the message with the
   * sender's seq and the events; COMMIT. The idempotency lookup runs only on a retry: a first attempt
   * that meets an existing (sender, device, random_id) learns it from ON CONFLICT and starts over to
   * answer with the original.
   */
  private async sendTx(q: Queryable, input: SendInput, retrying: boolean): Promise<SendOutcome> {
    const { sender, now } = input;
    const senderId = rowId(sender.uid);
    if (retrying) {
      const original = await this.sentBefore(q, senderId, input.device_id, input.random_id);
      if (original) {
        const line = await this.mustLine(q, String(original.line_id));
        return {
          message: toMessage(original),
          line,
          seq: original.sender_seq ?? 0,
          duplicate: true,
          heads: [],
          delivered_to: [],
        };
      }
    }

    let lineId: number | null;
    let lineChanged = false;
    if ('to' in input.target) {
      const { object_id, busi_type } = input.target.to;
      const object = await this.object(q, object_id);
      if (!object) throw new ImError('NOT_FOUND', `no object ${object_id}`);
      const created = await q.query<{ line_id: number }>(
        `INSERT INTO lines (uid, object_id, busi_type, merchant_id, status, created_at) VALUES ($1, $2, $3, $4, 'open', $5)
         ON CONFLICT (uid, object_id, busi_type) DO NOTHING RETURNING line_id`,
        [senderId, object_id, busi_type, object.merchant_id, now],
      );
      lineChanged = created.rowCount === 1;
      lineId =
        created.rows[0]?.line_id ??
        (
          await q.query<{ line_id: number }>(
            'SELECT line_id FROM lines WHERE uid = $1 AND object_id = $2 AND busi_type = $3',
            [senderId, object_id, busi_type],
          )
        ).rows[0]!.line_id;
    } else {
      lineId = rowId(input.target.line_id);
    }
    // The message id is reserved under the line lock, so ids follow the line's commit order.
    const { line: before, messageId } = await this.lockLineForMessage(q, lineId);
    const line: LineRecord = { ...before };

    if (line.status === 'resolved') {
      line.status = 'open';
      lineChanged = true;
    }
    // The policy chose someone for the customer: a notice follows their message. (Staff replying claim it.)
    let autoAssigned = false;
    if (before.assignee === null || before.status === 'resolved') {
      let assignee: { uid: string; name: string } | null;
      if (sender.role === 'staff') {
        assignee = { uid: sender.uid, name: sender.display_name };
      } else {
        // Capacity is counted by one writer at a time per merchant, on every node.
        await this.lockMerchant(q, line.merchant_id);
        assignee = await this.pickAssignee(q, line, input.onlineStaff, input.stickyWindowMs, now);
      }
      // No one chosen on a reopened line means the queue, as in the SQLite store; never someone who is away.
      if ((assignee?.uid ?? null) !== line.assignee) {
        if (assignee)
          await q.query('UPDATE users SET last_assigned_at = $1 WHERE uid = $2', [now, rowId(assignee.uid)]);
        line.assignee = assignee?.uid ?? null;
        line.assignee_name = assignee?.name ?? null;
        lineChanged = true;
        autoAssigned = sender.role === 'customer' && assignee !== null;
      }
    }

    line.last_message_at = now;
    // waiting_since: the oldest customer message staff has not answered yet.
    line.waiting_since = sender.role === 'customer' ? (line.waiting_since ?? now) : null;
    // Colleagues hear of a wait once it went long (announceWaits); of its end only if they heard of it.
    const wait = waitFlagAfterSend(line, lineChanged);
    line.waiting_announced = wait.waiting_announced;
    if (wait.announceEnd) lineChanged = true;
    const row: MessageRow = {
      message_id: messageId,
      line_id: lineId!,
      sender: senderId!,
      sender_role: sender.role,
      random_id: input.random_id,
      content: JSON.stringify(input.content),
      ts: now,
      sender_seq: null,
    };
    const message = toMessage(row);
    // Merchant staff matter only while the line is queued (they all get the message) or when it changed.
    const staff = line.assignee === null || lineChanged ? await this.activeStaff(q, line.merchant_id) : [];
    const recipients = messageRecipients(line, staff, sender.uid);
    const appends: Append[] = recipients.map((uid) => ({
      uid,
      build: (n) => ({ kind: 'message', seq: n, message, line: renderLine(line, roleOn(line, uid)) }),
    }));
    if (autoAssigned)
      appends.push(...(await this.noticeAppends(q, line, assignedNotice(assigneeOf(line)), before.assignee, now)));
    if (lineChanged) appends.push(...lineAppends(line, staff, new Set(appends.map((a) => a.uid))));

    // The line's new state rides on the statement that bumps the heads; the message on the one that stores the events.
    const lineUpdate = {
      sql: 'UPDATE lines SET status = $1, assignee = $2, last_message_at = $3, waiting_since = $4, waiting_announced = $5 WHERE line_id = $6',
      params: [
        line.status,
        line.assignee === null ? null : rowId(line.assignee),
        line.last_message_at,
        line.waiting_since,
        line.waiting_announced,
        lineId,
      ],
    };
    const heads = headsOf(appends, await this.bumpHeads(q, appends, lineUpdate));
    const seq = heads.find((h) => h.uid === sender.uid)?.seq ?? 0;
    const stored = await this.insertEvents(q, heads, now, { ...row, sender_seq: seq, device_id: input.device_id });
    // Sent before (a resend), or the same send committed on another node meanwhile: start over to answer with its ack.
    if (!stored) throw new RetryTransaction('this random_id was already sent');
    return { message, line, seq, duplicate: false, heads, delivered_to: recipients.filter((u) => u !== sender.uid) };
  }

  markRead(input: { line_id: string; reader: Account; message_id: string; now: number }): Promise<WriteOutcome> {
    return this.db.tx(async (q): Promise<WriteOutcome> => {
      const line = await this.mustLine(q, input.line_id);
      const messageId = rowId(input.message_id);
      const inLine =
        messageId !== null &&
        (
          await q.query('SELECT 1 FROM messages WHERE message_id = $1 AND line_id = $2', [
            messageId,
            rowId(line.line_id),
          ])
        ).rowCount === 1;
      if (!inLine) throw new ImError('NOT_FOUND', `no message ${input.message_id} in line ${line.line_id}`);
      const column = input.reader.role === 'customer' ? 'customer_read_message_id' : 'staff_read_message_id';
      const moved = await q.query(
        `UPDATE lines SET ${column} = $1 WHERE line_id = $2 AND COALESCE(${column}, 0) < $1`,
        [messageId, rowId(line.line_id)],
      );
      if (moved.rowCount === 0) return { heads: [] };
      const appends: Append[] = readRecipients(line, input.reader.uid).map((uid) => ({
        uid,
        build: (n) => ({
          kind: 'read',
          seq: n,
          line_id: line.line_id,
          reader: input.reader.uid,
          message_id: input.message_id,
        }),
      }));
      return { heads: await this.appendAll(q, appends, input.now) };
    });
  }

  transfer(input: { line_id: string; to: string; now: number }): Promise<LineWriteOutcome> {
    return this.db.tx(async (q): Promise<LineWriteOutcome> => {
      const before = await this.lockLine(q, rowId(input.line_id));
      const target = await this.user(q, input.to);
      if (!target || target.role !== 'staff' || target.merchant_id !== before.merchant_id || target.disabled) {
        throw new ImError('INVALID_ARGUMENT', 'transfer target is not an active staff member of this merchant');
      }
      if (before.assignee === input.to) return { line: before, heads: [] };
      await this.setAssignee(q, before.line_id, input.to, input.now);
      return this.lineChanged(q, before.line_id, input.now, (line) =>
        this.noticeAppends(
          q,
          line,
          transferredNotice(assigneeOf(line), previousStaff(before)),
          before.assignee,
          input.now,
        ),
      );
    });
  }

  setStatus(input: { line_id: string; status: LineStatus; now: number }): Promise<LineWriteOutcome> {
    return this.db.tx(async (q): Promise<LineWriteOutcome> => {
      const before = await this.lockLine(q, rowId(input.line_id));
      if (before.status === input.status) return { line: before, heads: [] };
      await q.query('UPDATE lines SET status = $1 WHERE line_id = $2', [input.status, rowId(before.line_id)]);
      return this.lineChanged(q, before.line_id, input.now);
    });
  }

  assignQueued(input: {
    merchant_id: string;
    onlineStaff: ReadonlySet<string>;
    now: number;
    stickyWindowMs: number;
  }): Promise<LineWriteOutcome[]> {
    return this.db.tx(async (q): Promise<LineWriteOutcome[]> => {
      // Lines first, then the merchant (the order every writer keeps). Lines another writer holds are
      // skipped: that writer is a send which assigns the line itself, or a short status/read update
      // after which the next trigger (or the cluster's queue sweep) picks the line up.
      const { rows: queued } = await q.query<{ line_id: number }>(
        `SELECT line_id FROM lines WHERE merchant_id = $1 AND assignee IS NULL AND status <> 'resolved'
         ORDER BY COALESCE(waiting_since, created_at), line_id LIMIT ${ASSIGN_BATCH} FOR UPDATE SKIP LOCKED`,
        [input.merchant_id],
      );
      if (queued.length === 0 || !(await this.lockMerchant(q, input.merchant_id))) return [];
      const changed: LineRecord[] = [];
      for (const { line_id } of queued) {
        const before = await this.mustLine(q, String(line_id));
        const assignee = await this.pickAssignee(q, before, input.onlineStaff, input.stickyWindowMs, input.now);
        if (assignee === null) break;
        await this.setAssignee(q, before.line_id, assignee.uid, input.now);
        changed.push(await this.settleWaitFlag(q, await this.mustLine(q, before.line_id)));
      }
      if (changed.length === 0) return [];
      // One append for every line's events, so the inbox heads are locked once, in uid order.
      const staff = await this.activeStaff(q, input.merchant_id);
      const perLine: Append[][] = [];
      for (const line of changed) {
        const notice = await this.noticeAppends(q, line, assignedNotice(assigneeOf(line)), null, input.now);
        perLine.push([...notice, ...lineAppends(line, staff, new Set(notice.map((a) => a.uid)))]);
      }
      const heads = await this.appendAll(q, perLine.flat(), input.now);
      let i = 0;
      return changed.map((line, n) => ({ line, heads: heads.slice(i, (i += perLine[n]!.length)) }));
    });
  }

  /**
   * One transaction for the batch, in the store's lock order: the lines (SKIP LOCKED, so nodes
   * announcing at once take disjoint lines and a line a send holds waits for the next run), then the
   * inbox heads in uid order by one statement. The row lock re-checks the wait on the newest row
   * version, so a wait answered meanwhile is not announced.
   */
  async announceWaits(input: WaitAnnouncement): Promise<LineWriteOutcome[]> {
    checkWaitAnnouncement(input);
    return this.db.tx(async (q): Promise<LineWriteOutcome[]> => {
      const { rows } = await q.query<LineRow>(
        `${LINE_SELECT} WHERE l.waiting_since <= $1 AND NOT l.waiting_announced AND l.assignee IS NOT NULL AND l.status <> 'resolved'
         ORDER BY l.waiting_since, l.line_id LIMIT $2 FOR UPDATE OF l SKIP LOCKED`,
        [input.cutoff, input.limit],
      );
      if (rows.length === 0) return [];
      const lines = rows.map((row): LineRecord => ({ ...toLineRecord(row), waiting_announced: true }));
      await q.query('UPDATE lines SET waiting_announced = TRUE WHERE line_id = ANY($1::bigint[])', [
        rows.map((r) => r.line_id),
      ]);
      const staffOf = new Map<string, string[]>();
      const perLine: Append[][] = [];
      for (const line of lines) {
        let staff = staffOf.get(line.merchant_id);
        if (!staff) staffOf.set(line.merchant_id, (staff = await this.activeStaff(q, line.merchant_id)));
        perLine.push(waitAnnouncementRecipients(line, staff).map((uid) => lineAppend(line, uid)));
      }
      // One append for every line's events, so the inbox heads are locked once, in uid order.
      const heads = await this.appendAll(q, perLine.flat(), input.now);
      let i = 0;
      return lines.map((line, n) => ({ line, heads: heads.slice(i, (i += perLine[n]!.length)) }));
    });
  }

  /** Merchants with at least one line waiting for an assignee (the cluster's queue sweep). */
  queuedMerchants(): Promise<string[]> {
    return this.db.read(async (q) => {
      const { rows } = await q.query<{ merchant_id: string }>(
        "SELECT DISTINCT merchant_id FROM lines WHERE assignee IS NULL AND status <> 'resolved'",
      );
      return rows.map((r) => r.merchant_id);
    });
  }

  // ---- inbox ----------------------------------------------------------------------------------------

  inboxHead(uid: string): Promise<Cursor> {
    return this.db.read((q) => this.head(q, uid));
  }

  /** Heads of many users in one read (the cluster's periodic wake-up repair). Unknown uids are left out. */
  inboxHeads(uids: readonly string[]): Promise<InboxHead[]> {
    const ids = uids.map(rowId).filter((id): id is number => id !== null);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.read(async (q) => {
      const { rows } = await q.query<{ uid: number; seq: number }>(
        'SELECT uid, seq FROM inbox_heads WHERE uid = ANY($1::bigint[])',
        [ids],
      );
      return rows.map((r) => ({ uid: String(r.uid), seq: r.seq }));
    });
  }

  /**
   * One round trip, one snapshot: the head and the oldest retained event decide where the page starts
   * (the cursor, or the oldest retained event on a reset), in the same statement as the page itself.
   */
  sync(uid: string, cursor: Cursor | null, limit: number): Promise<SyncPage> {
    return this.db.read(async (q) => {
      const { rows } = await q.query<{
        epoch: string;
        head: number;
        floor: number;
        recovered: boolean;
        event: string | null;
      }>(
        `SELECT h.epoch, h.seq AS head, f.floor, r.recovered, e.event
         FROM inbox_heads h
         CROSS JOIN LATERAL (SELECT COALESCE((SELECT seq FROM inbox WHERE uid = h.uid ORDER BY seq LIMIT 1), h.seq + 1) AS floor) f
         CROSS JOIN LATERAL (SELECT (h.epoch = $2 AND $3::bigint <= h.seq AND $3::bigint >= f.floor - 1) AS recovered) r
         LEFT JOIN LATERAL (
           SELECT event FROM inbox WHERE uid = h.uid AND seq > CASE WHEN r.recovered THEN $3::bigint ELSE f.floor - 1 END ORDER BY seq LIMIT $4
         ) e ON TRUE
         WHERE h.uid = $1`,
        [rowId(uid), cursor?.epoch ?? null, cursor?.seq ?? 0, limit],
      );
      const head = rows[0];
      if (!head) throw new ImError('NOT_FOUND', `no inbox for ${uid}`);
      const recovered = head.recovered === true;
      const from = recovered ? cursor!.seq : head.floor - 1;
      const events = rows.flatMap((r) => (r.event === null ? [] : [JSON.parse(r.event) as InboxEvent]));
      const last = events.length > 0 ? events[events.length - 1]!.seq : from;
      return {
        outcome: recovered ? 'recovered' : 'reset',
        epoch: head.epoch,
        events,
        next: { epoch: head.epoch, seq: last },
        more: last < head.head,
      };
    });
  }

  /**
   * Each statement is its own short transaction: one read of the inboxes, then one DELETE of one
   * inbox's lowest events. Nodes trimming at once are harmless: a DELETE waits for another's row
   * locks on the same events, then skips the rows it finds gone; both only ever cut a prefix below a
   * head read from a committed snapshot (heads only grow).
   */
  async trimInbox(input: InboxTrim): Promise<InboxTrimStep> {
    checkTrim(input);
    const from = input.from === null ? 0 : (rowId(input.from) ?? 0);
    // One inbox more than asked for: its uid is where the next step starts.
    const inboxes = await this.db.read(async (q) => {
      const { rows } = await q.query<{ uid: number; head: number; low: number | null; lowAt: number | null }>(
        `SELECT h.uid, h.seq AS head, l.seq AS low, l.created_at AS "lowAt"
         FROM (SELECT uid, seq FROM inbox_heads WHERE uid >= $1 ORDER BY uid LIMIT $2) h
         LEFT JOIN LATERAL (SELECT seq, created_at FROM inbox WHERE uid = h.uid ORDER BY seq LIMIT 1) l ON TRUE
         ORDER BY h.uid`,
        [from, input.users + 1],
      );
      return rows;
    });
    const following = inboxes.length > input.users ? String(inboxes.pop()!.uid) : null;
    let budget = input.limit;
    let deleted = 0;
    for (const inbox of inboxes) {
      if (!needsTrim(inbox, input)) continue;
      const c = { head: inbox.head, low: inbox.low! };
      const { upTo, gone } = await this.db.read(async (q) => {
        const young = needsAgeProbe(c, input, budget)
          ? ((
              await q.query<{ seq: number | null }>(
                'SELECT MIN(seq) AS seq FROM inbox WHERE uid = $1 AND seq >= $2 AND seq < $3 AND created_at >= $4',
                [inbox.uid, c.low, c.low + budget, input.olderThan],
              )
            ).rows[0]?.seq ?? null)
          : null;
        const bound = trimUpTo(c, input, budget, young);
        const result = await q.query('DELETE FROM inbox WHERE uid = $1 AND seq < $2', [inbox.uid, bound]);
        return { upTo: bound, gone: result.rowCount ?? 0 };
      });
      deleted += gone;
      // The window ran out: this inbox may hold more, so the next step starts with it again.
      if (upTo === c.low + budget) return { deleted, next: String(inbox.uid) };
      budget -= gone;
    }
    return { deleted, next: following };
  }

  // ---- quick replies ------------------------------------------------------------------------------

  listQuickReplies(owner: string): Promise<QuickReply[]> {
    return this.db.read(async (q) => {
      const { rows } = await q.query<{ id: number; title: string; text: string }>(
        'SELECT id, title, text FROM quick_replies WHERE owner = $1 ORDER BY title, id',
        [rowId(owner)],
      );
      return rows.map((r) => ({ id: String(r.id), title: r.title, text: r.text }));
    });
  }

  putQuickReply(
    owner: string,
    reply: { id?: string; title: string; text: string },
    now: number,
  ): Promise<QuickReply | null> {
    return this.db.read(async (q) => {
      if (reply.id === undefined) {
        const { rows } = await q.query<{ id: number }>(
          'INSERT INTO quick_replies (owner, title, text, updated_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [rowId(owner), reply.title, reply.text, now],
        );
        return { id: String(rows[0]!.id), title: reply.title, text: reply.text };
      }
      const updated = await q.query(
        'UPDATE quick_replies SET title = $1, text = $2, updated_at = $3 WHERE id = $4 AND owner = $5',
        [reply.title, reply.text, now, rowId(reply.id), rowId(owner)],
      );
      return updated.rowCount === 1 ? { id: reply.id, title: reply.title, text: reply.text } : null;
    });
  }

  deleteQuickReply(owner: string, id: string): Promise<boolean> {
    return this.db.read(
      async (q) =>
        (await q.query('DELETE FROM quick_replies WHERE id = $1 AND owner = $2', [rowId(id), rowId(owner)]))
          .rowCount === 1,
    );
  }

  // ---- helpers (run inside the caller's transaction) ------------------------------------------------

  private async object(q: Queryable, objectId: string): Promise<LineObject | null> {
    const { rows } = await q.query<LineObject>(
      'SELECT object_id, kind, title, merchant_id FROM objects WHERE object_id = $1',
      [objectId],
    );
    return rows[0] ?? null;
  }

  private async user(q: Queryable, uid: string): Promise<UserRow | null> {
    const id = rowId(uid);
    if (id === null) return null;
    return (await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE uid = $1`, [id])).rows[0] ?? null;
  }

  private async userByLogin(q: Queryable, login: string): Promise<UserRow | null> {
    return (await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account = $1`, [login])).rows[0] ?? null;
  }

  private async sentBefore(
    q: Queryable,
    sender: number | null,
    deviceId: string,
    randomId: string,
  ): Promise<MessageRow | null> {
    const { rows } = await q.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender = $1 AND device_id = $2 AND random_id = $3`,
      [sender, deviceId, randomId],
    );
    return rows[0] ?? null;
  }

  private async line(q: Queryable, lineId: string): Promise<LineRecord | null> {
    const id = rowId(lineId);
    if (id === null) return null;
    const row = (await q.query<LineRow>(`${LINE_SELECT} WHERE l.line_id = $1`, [id])).rows[0];
    return row ? toLineRecord(row) : null;
  }

  private async mustLine(q: Queryable, lineId: string): Promise<LineRecord> {
    const line = await this.line(q, lineId);
    if (!line) throw new ImError('NOT_FOUND', `no line ${lineId}`);
    return line;
  }

  /** The line row lock: every write to a line holds it, so a line's writes commit one after another. */
  private async lockLine(q: Queryable, lineId: number | null): Promise<LineRecord> {
    const row =
      lineId === null
        ? undefined
        : (await q.query<LineRow>(`${LINE_SELECT} WHERE l.line_id = $1 FOR UPDATE OF l`, [lineId])).rows[0];
    if (!row) throw new ImError('NOT_FOUND', `no line ${lineId}`);
    return toLineRecord(row);
  }

  /** The line lock for a send, with the id its message will get (a sequence value: gaps are fine, order holds). */
  private async lockLineForMessage(
    q: Queryable,
    lineId: number | null,
  ): Promise<{ line: LineRecord; messageId: number }> {
    const row =
      lineId === null
        ? undefined
        : (
            await q.query<LineRow & { next_message_id: number }>(
              `SELECT x.*, nextval(pg_get_serial_sequence('messages', 'message_id')) AS next_message_id
               FROM (${LINE_SELECT} WHERE l.line_id = $1 FOR UPDATE OF l) x`,
              [lineId],
            )
          ).rows[0];
    if (!row) throw new ImError('NOT_FOUND', `no line ${lineId}`);
    return { line: toLineRecord(row), messageId: row.next_message_id };
  }

  /**
   * The merchant row lock taken by every writer that counts capacity. NO KEY UPDATE leaves the
   * row's key share locks (foreign-key checks of new lines and users) unblocked.
   */
  private async lockMerchant(q: Queryable, merchantId: string): Promise<boolean> {
    return (
      (await q.query('SELECT 1 FROM merchants WHERE merchant_id = $1 FOR NO KEY UPDATE', [merchantId])).rowCount === 1
    );
  }

  private async staffLoads(q: Queryable, merchantId: string): Promise<StaffLoad[]> {
    const { rows } = await q.query<{
      uid: number;
      display_name: string;
      capacity: number;
      disabled: boolean;
      last_assigned_at: number | null;
      open_lines: number;
    }>(
      `SELECT u.uid, u.display_name, u.capacity, u.disabled, u.last_assigned_at,
              (SELECT COUNT(*) FROM lines l WHERE l.assignee = u.uid AND l.status IN ('open', 'pending')) AS open_lines
       FROM users u WHERE u.role = 'staff' AND u.merchant_id = $1 ORDER BY u.uid`,
      [merchantId],
    );
    return rows.map((r) => ({ ...r, uid: String(r.uid) }));
  }

  private async activeStaff(q: Queryable, merchantId: string): Promise<string[]> {
    const { rows } = await q.query<{ uid: number }>(
      "SELECT uid FROM users WHERE role = 'staff' AND merchant_id = $1 AND NOT disabled ORDER BY uid",
      [merchantId],
    );
    return rows.map((r) => String(r.uid));
  }

  /** Run the pure assignment policy over this merchant's current loads (the caller holds the merchant lock). */
  private async pickAssignee(
    q: Queryable,
    line: LineRecord,
    online: ReadonlySet<string>,
    stickyWindowMs: number,
    now: number,
  ): Promise<{ uid: string; name: string } | null> {
    const { rows } = await q.query<{ assignee: number }>(
      `SELECT assignee FROM lines WHERE uid = $1 AND merchant_id = $2 AND assignee IS NOT NULL
         AND COALESCE(last_message_at, created_at) >= $3
       ORDER BY COALESCE(last_message_at, created_at) DESC, line_id DESC LIMIT 1`,
      [rowId(line.uid), line.merchant_id, now - stickyWindowMs],
    );
    const staff = (await this.staffLoads(q, line.merchant_id)).map((s) => ({ ...s, online: online.has(s.uid) }));
    const chosen = chooseAssignee({ staff, recent: rows[0] ? String(rows[0].assignee) : null });
    const member = staff.find((s) => s.uid === chosen);
    return member ? { uid: member.uid, name: member.display_name } : null;
  }

  private async setAssignee(q: Queryable, lineId: string, assignee: string | null, now: number): Promise<void> {
    await q.query('UPDATE lines SET assignee = $1 WHERE line_id = $2', [
      assignee === null ? null : rowId(assignee),
      rowId(lineId),
    ]);
    if (assignee !== null)
      await q.query('UPDATE users SET last_assigned_at = $1 WHERE uid = $2', [now, rowId(assignee)]);
  }

  private async lineChanged(
    q: Queryable,
    lineId: string,
    now: number,
    notice?: (line: LineRecord) => Promise<Append[]>,
  ): Promise<LineWriteOutcome> {
    const line = await this.settleWaitFlag(q, await this.mustLine(q, lineId));
    const first = notice ? await notice(line) : [];
    const appends = [
      ...first,
      ...lineAppends(line, await this.activeStaff(q, line.merchant_id), new Set(first.map((a) => a.uid))),
    ];
    return { line, heads: await this.appendAll(q, appends, now) };
  }

  /**
   * The line just changed (the caller holds its lock) and every staff member gets its snapshot: the
   * flag follows what that snapshot shows them (domain/waits.ts), so a wait they saw is ended for them too.
   */
  private async settleWaitFlag(q: Queryable, line: LineRecord): Promise<LineRecord> {
    const shown = showsWaitToColleagues(line);
    if (shown === line.waiting_announced) return line;
    await q.query('UPDATE lines SET waiting_announced = $1 WHERE line_id = $2', [shown, rowId(line.line_id)]);
    return { ...line, waiting_announced: shown };
  }

  /** A system notice in the line, in the name of its new assignee (no random_id), and the message events carrying it. */
  private async noticeAppends(
    q: Queryable,
    line: LineRecord,
    content: NoticeContent,
    previousAssignee: string | null,
    now: number,
  ): Promise<Append[]> {
    const { rows } = await q.query<MessageRow>(
      `INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES ($1, $2, 'staff', 'system', NULL, $3, $4) RETURNING ${MESSAGE_COLUMNS}`,
      [rowId(line.line_id), rowId(assigneeOf(line).uid), JSON.stringify(content), now],
    );
    const message = toMessage(rows[0]!);
    return noticeRecipients(line, previousAssignee).map((uid) => ({
      uid,
      build: (n: number): InboxEvent => ({
        kind: 'message',
        seq: n,
        message,
        line: renderLine(line, roleOn(line, uid)),
      }),
    }));
  }

  /**
   * Append events to inboxes; returns each event's seq. The head rows are locked in uid order by
   * one statement and bumped by the number of events each user gets, then the events are inserted
   * in one statement, all in the caller's transaction.
   */
  private async appendAll(q: Queryable, appends: readonly Append[], now: number): Promise<InboxHead[]> {
    const heads = headsOf(appends, await this.bumpHeads(q, appends));
    await this.insertEvents(q, heads, now);
    return heads;
  }

  /** Lock and bump the heads (in uid order), optionally running one more write in the same statement. */
  private async bumpHeads(
    q: Queryable,
    appends: readonly Append[],
    alsoRun?: { sql: string; params: unknown[] },
  ): Promise<number[]> {
    if (appends.length === 0) {
      if (alsoRun) await q.query(alsoRun.sql, alsoRun.params);
      return [];
    }
    const counts = new Map<number, number>();
    for (const a of appends) {
      const id = rowId(a.uid);
      if (id === null) throw new ImError('NOT_FOUND', `no inbox for ${a.uid}`);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const uids = [...counts.keys()].sort((a, b) => a - b);
    const extra = alsoRun
      ? `also AS (${alsoRun.sql.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + 2}`)}),`
      : '';
    const { rows } = await q.query<{ uid: number; seq: number }>(
      `WITH ${extra} locked AS (SELECT uid FROM inbox_heads WHERE uid = ANY($1::bigint[]) ORDER BY uid FOR UPDATE)
       UPDATE inbox_heads h SET seq = h.seq + c.n
       FROM locked JOIN unnest($1::bigint[], $2::int[]) AS c (uid, n) ON c.uid = locked.uid
       WHERE h.uid = locked.uid
       RETURNING h.uid, h.seq`,
      [uids, uids.map((u) => counts.get(u)!), ...(alsoRun?.params ?? [])],
    );
    if (rows.length !== uids.length) throw new ImError('NOT_FOUND', 'an inbox is missing');
    const next = new Map(rows.map((r) => [r.uid, r.seq - counts.get(r.uid)! + 1]));
    return appends.map((a) => {
      const id = rowId(a.uid)!;
      const seq = next.get(id)!;
      next.set(id, seq + 1);
      return seq;
    });
  }

  /**
   * Insert the events at their seqs. With `message`, the message row is stored by the same statement
   * (ON CONFLICT on its idempotency key): false means it existed, and nothing was inserted.
   */
  private async insertEvents(
    q: Queryable,
    heads: readonly Required<InboxHead>[],
    now: number,
    message?: MessageRow & { device_id: string },
  ): Promise<boolean> {
    const insert =
      'INSERT INTO inbox (uid, seq, event, created_at) SELECT u, s, e, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x (u, s, e)';
    const args = [heads.map((h) => rowId(h.uid)), heads.map((h) => h.seq), heads.map((h) => h.event), now];
    if (!message) {
      if (heads.length > 0) await q.query(insert, args);
      return true;
    }
    const { rows } = await q.query<{ stored: boolean }>(
      `WITH message AS (
         INSERT INTO messages (message_id, line_id, sender, sender_role, device_id, random_id, content, ts, sender_seq)
         VALUES ($5, $6, $7, $8, $9, $10, $11, $4, $12)
         ON CONFLICT (sender, device_id, random_id) WHERE random_id IS NOT NULL DO NOTHING
         RETURNING message_id),
       events AS (${insert} WHERE EXISTS (SELECT 1 FROM message))
       SELECT EXISTS (SELECT 1 FROM message) AS stored`,
      [
        ...args,
        message.message_id,
        message.line_id,
        message.sender,
        message.sender_role,
        message.device_id,
        message.random_id,
        message.content,
        message.sender_seq,
      ],
    );
    return rows[0]?.stored === true;
  }

  private async head(q: Queryable, uid: string): Promise<Cursor> {
    const id = rowId(uid);
    const row =
      id === null
        ? undefined
        : (await q.query<Cursor>('SELECT epoch, seq FROM inbox_heads WHERE uid = $1', [id])).rows[0];
    if (!row) throw new ImError('NOT_FOUND', `no inbox for ${uid}`);
    return row;
  }
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/** On a line the customer is the only customer; every other participant views it as staff. */
function roleOn(line: LineRecord, uid: string): Role {
  return uid === line.uid ? 'customer' : 'staff';
}

/** A change to the line itself goes to the customer and all staff (minus those who already got the message). */
function lineAppends(line: LineRecord, staff: readonly string[], skip: ReadonlySet<string> = new Set()): Append[] {
  return lineRecipients(line, staff)
    .filter((uid) => !skip.has(uid))
    .map((uid) => lineAppend(line, uid));
}

function lineAppend(line: LineRecord, uid: string): Append {
  return {
    uid,
    build: (n: number): InboxEvent => ({ kind: 'line', seq: n, line: renderLine(line, roleOn(line, uid)) }),
  };
}
