import { z } from 'zod';
import { LIMITS } from './limits';

/** Ids are strings on the wire, so clients in languages without 64-bit integers stay exact. */
export const Id = z.string().min(1).max(64);

/** Business type of a conversation line (seed 2.1.1 / 3.4). */
export const BusiType = z.enum(['private', 'consult', 'feedback']);
export type BusiType = z.infer<typeof BusiType>;

export const LineStatus = z.enum(['open', 'pending', 'resolved']);
export type LineStatus = z.infer<typeof LineStatus>;

export const Role = z.enum(['customer', 'staff']);
export type Role = z.infer<typeof Role>;

/**
 * Client-made de-duplication key (seed 3.1): base-36 millisecond timestamp, '-', at least
 * 12 random base-36/hex characters. Retries of one message reuse it.
 */
export const RandomId = z.string().regex(/^[0-9a-z]{6,12}-[0-9a-zA-Z]{12,40}$/, 'random_id must be <time36>-<random>');

/** What a line is about: a hotel, a tour, a ticket, an order, or the merchant itself. */
export const ObjectKind = z.enum(['merchant', 'hotel', 'room', 'tour', 'ticket', 'order']);
export const LineObject = z.object({
  object_id: Id,
  kind: ObjectKind,
  title: z.string().max(200),
  merchant_id: Id,
});
export type LineObject = z.infer<typeof LineObject>;

const Money = z.object({ amount: z.number().finite().nonnegative(), currency: z.string().regex(/^[A-Z]{3}$/) });

export const TextContent = z.object({ type: z.literal('text'), text: z.string().min(1).max(LIMITS.maxTextLength) });
export const ImageContent = z.object({
  type: z.literal('image'),
  /** Server-relative path under /v1/media/ or an https URL the server vouches for. */
  url: z.string().min(1).max(2048),
  width: z.number().int().positive().max(20_000),
  height: z.number().int().positive().max(20_000),
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp', 'image/gif']),
});
export const CardContent = z.object({
  type: z.literal('card'),
  card_kind: z.enum(['room', 'tour', 'ticket', 'order']),
  object_id: Id,
  title: z.string().min(1).max(200),
  subtitle: z.string().max(400).optional(),
  price: Money.optional(),
  image_url: z.string().max(2048).optional(),
  /** For orders: the order's state, e.g. "paid", "confirmed". */
  order_state: z.string().max(40).optional(),
});
export const SystemContent = z.object({
  type: z.literal('system'),
  /** Stable code a client translates (e.g. "line.assigned"); `text` is the server's fallback. */
  code: z.string().min(1).max(60),
  text: z.string().max(1000),
  params: z.record(z.string(), z.string()).optional(),
});
export const Content = z.discriminatedUnion('type', [TextContent, ImageContent, CardContent, SystemContent]);
export type Content = z.infer<typeof Content>;
export type ContentType = Content['type'];
/** Content a client may send; system notices are made by the server only. */
export const SendableContent = z.discriminatedUnion('type', [TextContent, ImageContent, CardContent]);

export const UserRef = z.object({ uid: Id, role: Role, display_name: z.string().max(100), merchant_id: Id.nullable() });
export type UserRef = z.infer<typeof UserRef>;

export const Message = z.object({
  message_id: Id,
  line_id: Id,
  sender: Id,
  sender_role: Role,
  random_id: RandomId.nullable(),
  content: Content,
  /** Server time, epoch milliseconds. */
  ts: z.number().int(),
});
export type Message = z.infer<typeof Message>;

export const Line = z.object({
  line_id: Id,
  /** The customer. (uid, object_id, busi_type) is unique (seed 3.4). */
  uid: Id,
  customer_name: z.string().max(100),
  object: LineObject,
  busi_type: BusiType,
  status: LineStatus,
  assignee: Id.nullable(),
  assignee_name: z.string().max(100).nullable(),
  created_at: z.number().int(),
  last_message_at: z.number().int().nullable(),
  /** Time of the oldest customer message not yet answered by staff, or null. */
  waiting_since: z.number().int().nullable(),
  /** Last message id the *other* side has read (for read receipts). */
  peer_read_message_id: Id.nullable(),
});
export type Line = z.infer<typeof Line>;

export const Cursor = z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative() });
export type Cursor = z.infer<typeof Cursor>;

/**
 * One entry of a recipient's inbox. `seq` increases by exactly 1 per entry within an epoch;
 * a client that sees a gap asks `sync` for the missing range.
 */
export const InboxEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), seq: z.number().int().positive(), message: Message, line: Line }),
  z.object({ kind: z.literal('line'), seq: z.number().int().positive(), line: Line }),
  z.object({
    kind: z.literal('read'),
    seq: z.number().int().positive(),
    line_id: Id,
    reader: Id,
    message_id: Id,
  }),
]);
export type InboxEvent = z.infer<typeof InboxEvent>;

/** The request stack's top (seed 2.1.2): what the client currently shows, so ephemeral traffic is scoped to it. */
export const Need = z.object({
  view: z.enum(['list', 'line', 'background']),
  line_id: Id.optional(),
  busi_type: BusiType.optional(),
});
export type Need = z.infer<typeof Need>;

export const QuickReply = z.object({
  id: Id,
  title: z.string().min(1).max(60),
  /** May contain placeholders {customer_name}, {object_title}, {staff_name}. */
  text: z.string().min(1).max(LIMITS.maxTextLength),
});
export type QuickReply = z.infer<typeof QuickReply>;

export const StaffMember = z.object({
  uid: Id,
  display_name: z.string().max(100),
  online: z.boolean(),
  open_lines: z.number().int().nonnegative(),
  capacity: z.number().int().nonnegative(),
});
export type StaffMember = z.infer<typeof StaffMember>;
