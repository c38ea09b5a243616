import type {
  BusiType,
  Content,
  Cursor,
  InboxEvent,
  LineObject,
  LineStatus,
  Message,
  QuickReply,
  Role,
} from '../../src-shared/protocol';

/**
 * The storage port of the IM server. The gateway and the request handlers only ever talk to this
 * interface; `SqliteStore` (store/sqlite) is the embedded default and a PostgreSQL store plugs in
 * by implementing the same methods.
 *
 * Contract every implementation must keep (tests/server/store-contract.test.ts checks it):
 * - Methods are async so a networked database fits; each *write* method is ONE transaction.
 * - Ids cross this interface as strings. Message ids must increase with insertion order within a
 *   line (read pointers and history paging compare them numerically).
 * - Inbox: every user has a head `(epoch, seq)`. A write that delivers to a user appends exactly one
 *   event per recipient with `seq = head.seq + 1` in the same transaction as the write itself, so a
 *   committed event always has all lower seqs committed too. Events are stored as rendered for their
 *   recipient (the `line` snapshot carries that viewer's `peer_read_message_id`).
 * - Who receives what is decided by the pure rules in domain/recipients.ts and who gets a new line by
 *   domain/assignment.ts — implementations call them inside their transaction, never re-invent them.
 * - Write methods return the new inbox heads so the caller can wake listeners through the Hub after
 *   the commit; they never publish themselves.
 */
export interface Store {
  /** Bring the schema up to the newest migration. Idempotent; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** A value shared by every node, created once (e.g. the token signing secret). */
  getOrCreateMeta(key: string, create: () => string): Promise<string>;

  // ---- directory: merchants, catalogue, accounts --------------------------------------------
  /** Upsert by merchant_id. */
  putMerchant(merchant: { merchant_id: string; name: string }, now: number): Promise<void>;
  /** Upsert a catalogue object (hotel, room, tour, ticket, order, merchant) by object_id. */
  putObject(object: LineObject): Promise<void>;
  getObject(objectId: string): Promise<LineObject | null>;
  /** Creates the account, or returns the existing one with that login name unchanged. */
  ensureAccount(account: NewAccount, now: number): Promise<{ account: Account; created: boolean }>;
  findAccountByLogin(login: string): Promise<AccountWithSecret | null>;
  getAccount(uid: string): Promise<Account | null>;
  setAccountDisabled(uid: string, disabled: boolean): Promise<void>;
  /** Every staff member of a merchant with their current count of open (open|pending) assigned lines. */
  listStaff(merchantId: string): Promise<StaffLoad[]>;

  // ---- lines and messages ----------------------------------------------------------------------
  getLine(lineId: string): Promise<LineRecord | null>;
  listLines(query: LineQuery): Promise<{ lines: LineRecord[]; unread: Record<string, number> }>;
  history(
    lineId: string,
    beforeMessageId: string | null,
    limit: number,
  ): Promise<{ messages: Message[]; more: boolean }>;

  /**
   * Idempotent send, one transaction: if (sender, device_id, random_id) was already sent, return the
   * original acknowledgement with `duplicate: true` and change nothing. Otherwise upsert the line
   * (for `target.to`), reopen it if resolved, assign it if it has no assignee (staff senders claim
   * it; customers get `chooseAssignee` over `onlineStaff`), insert the message and append inbox events.
   */
  send(input: SendInput): Promise<SendOutcome>;
  /** Advance the reader's side read pointer (never backwards); emits `read` events when it moves. */
  markRead(input: { line_id: string; reader: Account; message_id: string; now: number }): Promise<WriteOutcome>;
  transfer(input: { line_id: string; to: string; now: number }): Promise<LineWriteOutcome>;
  setStatus(input: { line_id: string; status: LineStatus; now: number }): Promise<LineWriteOutcome>;
  /**
   * Assign queued (unassigned, not resolved) lines of a merchant, oldest first, while
   * `chooseAssignee` finds someone online with capacity. One transaction.
   */
  assignQueued(input: {
    merchant_id: string;
    onlineStaff: ReadonlySet<string>;
    now: number;
    stickyWindowMs: number;
  }): Promise<LineWriteOutcome[]>;
  /**
   * Announce long waits to colleagues, one bounded batch: lines with an assignee, not resolved, whose
   * customer has waited since `cutoff` or earlier and whose wait was not announced yet get
   * `waiting_announced` set and a `line` event for every active staff member of their merchant
   * except the assignee (domain/waits.ts). At most `limit` lines, oldest wait first; returns one
   * outcome per announced line. Safe to run on several nodes at once: each wait is announced once.
   */
  announceWaits(input: WaitAnnouncement): Promise<LineWriteOutcome[]>;

  // ---- inbox -------------------------------------------------------------------------------------
  inboxHead(uid: string): Promise<Cursor>;
  /**
   * Events after `cursor`. `reset` when the cursor is null, names another epoch, is ahead of the
   * head (history was lost), or its next event was trimmed (`cursor.seq + 1` below the oldest
   * retained seq): then the page starts at the oldest retained event of the current epoch (seq 1
   * until the inbox was first trimmed). A cursor at or after that floor stays `recovered`.
   */
  sync(uid: string, cursor: Cursor | null, limit: number): Promise<SyncPage>;
  /**
   * One bounded step of inbox retention: looks at up to `users` inboxes from `from` on (uid order)
   * and deletes at most `limit` events, each in short transactions. A user's retained events stay
   * one unbroken run of seqs ending at the head: only a lowest prefix is ever deleted, never the
   * head event itself. Safe to run on several nodes at once (a second deleter finds less or nothing).
   */
  trimInbox(input: InboxTrim): Promise<InboxTrimStep>;

  // ---- quick replies (per staff member) ---------------------------------------------------------
  listQuickReplies(owner: string): Promise<QuickReply[]>;
  /** Insert (no id) or update one of `owner`'s replies; null when `id` is not the owner's. */
  putQuickReply(
    owner: string,
    reply: { id?: string; title: string; text: string },
    now: number,
  ): Promise<QuickReply | null>;
  deleteQuickReply(owner: string, id: string): Promise<boolean>;
}

export interface NewAccount {
  account: string;
  password_hash: string;
  role: Role;
  display_name: string;
  merchant_id: string | null;
  /** Most open lines assigned at once (staff only). */
  capacity?: number;
}

export interface Account {
  uid: string;
  account: string;
  role: Role;
  display_name: string;
  merchant_id: string | null;
  capacity: number;
  disabled: boolean;
}
export interface AccountWithSecret extends Account {
  password_hash: string;
}

export interface StaffLoad {
  uid: string;
  display_name: string;
  capacity: number;
  open_lines: number;
  disabled: boolean;
  /** When this staff member was last given a line; breaks ties fairly. */
  last_assigned_at: number | null;
}

/** A line as stored: both sides' read pointers; `renderLine` turns it into one viewer's wire `Line`. */
export interface LineRecord {
  line_id: string;
  uid: string;
  customer_name: string;
  object: LineObject;
  merchant_id: string;
  busi_type: BusiType;
  status: LineStatus;
  assignee: string | null;
  assignee_name: string | null;
  created_at: number;
  last_message_at: number | null;
  waiting_since: number | null;
  /**
   * Colleagues (staff other than the assignee, who get no `message` events) were last sent a
   * snapshot showing this wait, so they must hear when it ends. Never on the wire.
   */
  waiting_announced: boolean;
  customer_read_message_id: string | null;
  staff_read_message_id: string | null;
}

export interface LineQuery {
  viewer: Account;
  status?: LineStatus;
  busi_type?: BusiType;
  /** Staff: only lines assigned to the viewer. */
  mine?: boolean;
  before?: number;
  limit: number;
}

export type SendTarget = { line_id: string } | { to: { object_id: string; busi_type: BusiType } };

export interface SendInput {
  sender: Account;
  device_id: string;
  random_id: string;
  target: SendTarget;
  /** Client content, or a server-made `system` notice. */
  content: Content;
  now: number;
  /** Online staff of the line's merchant, for assignment if the line has no assignee. */
  onlineStaff: ReadonlySet<string>;
  /** A returning customer goes back to whoever served them within this window. */
  stickyWindowMs: number;
}

export interface InboxHead {
  uid: string;
  seq: number;
  /**
   * The event at `seq` as stored (its JSON), when the write has it at hand. A listener on this node
   * that has pushed everything up to `seq - 1` may push it without reading it back; without it
   * (or after any gap) listeners read from the Store as usual.
   */
  event?: string;
}

export interface WriteOutcome {
  /** New inbox heads of everyone who got an event; wake them through the Hub after commit. */
  heads: InboxHead[];
}

export interface SendOutcome extends WriteOutcome {
  message: Message;
  line: LineRecord;
  /** The message's seq in the sender's own inbox. */
  seq: number;
  duplicate: boolean;
  /** Users who got the message event, sender excluded (remote-push candidates). */
  delivered_to: string[];
}

export interface LineWriteOutcome extends WriteOutcome {
  line: LineRecord;
}

export interface WaitAnnouncement {
  /** Waits that started at or before this instant (ms) are announced. */
  cutoff: number;
  /** Stamps the inbox events. */
  now: number;
  /** At most this many lines in this call (one short transaction). */
  limit: number;
}

export interface InboxTrim {
  /**
   * Events created before this instant (ms) may go. Every event up to the first one created at or
   * after it goes with them, so an event stamped by a node whose clock lagged never leaves a hole.
   * `null`: no age limit.
   */
  olderThan: number | null;
  /** Each user keeps at most this many newest events, whatever their age. `null`: no count limit. */
  keepNewest: number | null;
  /** At most this many events deleted by this call. */
  limit: number;
  /** At most this many inboxes looked at by this call. */
  users: number;
  /** Start at this uid (the previous step's `next`); null starts from the first user. */
  from: string | null;
}

export interface InboxTrimStep {
  deleted: number;
  /** Pass as `from` to continue; null once every inbox has been looked at. */
  next: string | null;
}

export interface SyncPage {
  outcome: 'recovered' | 'reset';
  epoch: string;
  events: InboxEvent[];
  next: Cursor;
  more: boolean;
}
