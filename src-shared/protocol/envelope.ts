import { z } from 'zod';
import { LIMITS, PROTOCOL_VERSION } from './limits';
import {
  BusiType,
  Cursor,
  Id,
  InboxEvent,
  Line,
  LineStatus,
  Message,
  Need,
  QuickReply,
  RandomId,
  SendableContent,
  StaffMember,
  UserRef,
} from './schemas';
import { type WireError, wireError } from './errors';

/**
 * Every client→server request: its body schema and the body of its successful reply.
 * One table for both transports (WebSocket frames and POST /v1/rpc).
 */
export const REQUESTS = {
  hello: {
    body: z.object({
      protocol: z.number().int(),
      token: z.string().min(1).max(4096),
      device_id: Id,
      focused: z.boolean().default(true),
      need: Need.optional(),
    }),
    result: z.object({
      user: UserRef,
      server_time: z.number().int(),
      epoch: z.string(),
      heartbeat_ms: z.number().int(),
      token_expires_at: z.number().int(),
      limits: z.object({ max_packet_bytes: z.number().int(), max_text_length: z.number().int() }),
    }),
  },
  sync: {
    body: z.object({ cursor: Cursor.nullable(), limit: z.number().int().min(1).max(LIMITS.maxSyncPage).optional() }),
    result: z.object({
      /** recovered: events after your cursor; reset: your epoch is gone, drop local inbox state and page from `next`. */
      outcome: z.enum(['recovered', 'reset']),
      epoch: z.string(),
      events: z.array(InboxEvent),
      next: Cursor,
      more: z.boolean(),
    }),
  },
  send: {
    body: z
      .object({
        random_id: RandomId,
        line_id: Id.optional(),
        /** A customer's first message opens (or finds) the line (uid, object_id, busi_type). */
        to: z.object({ object_id: Id, busi_type: BusiType }).optional(),
        content: SendableContent,
      })
      .refine((b) => (b.line_id === undefined) !== (b.to === undefined), 'exactly one of line_id or to'),
    result: z.object({ message: Message, line: Line, seq: z.number().int().positive(), duplicate: z.boolean() }),
  },
  read: { body: z.object({ line_id: Id, message_id: Id }), result: z.object({}) },
  typing: { body: z.object({ line_id: Id }), result: z.object({}) },
  presence: { body: z.object({ focused: z.boolean() }), result: z.object({}) },
  need: { body: z.object({ need: Need }), result: z.object({}) },
  'lines.list': {
    body: z.object({
      status: LineStatus.optional(),
      busi_type: BusiType.optional(),
      mine: z.boolean().optional(),
      /** Page backwards by last activity: lines with last activity strictly before this. */
      before: z.number().int().optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    result: z.object({ lines: z.array(Line), unread: z.record(z.string(), z.number().int()) }),
  },
  history: {
    body: z.object({
      line_id: Id,
      before_message_id: Id.optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    result: z.object({ messages: z.array(Message), more: z.boolean() }),
  },
  'line.transfer': { body: z.object({ line_id: Id, to: Id }), result: z.object({ line: Line }) },
  'line.status': { body: z.object({ line_id: Id, status: LineStatus }), result: z.object({ line: Line }) },
  'staff.list': { body: z.object({}), result: z.object({ staff: z.array(StaffMember) }) },
  'quick_replies.list': { body: z.object({}), result: z.object({ quick_replies: z.array(QuickReply) }) },
  'quick_replies.put': {
    body: z.object({ id: Id.optional(), title: QuickReply.shape.title, text: QuickReply.shape.text }),
    result: z.object({ quick_reply: QuickReply }),
  },
  'quick_replies.delete': { body: z.object({ id: Id }), result: z.object({}) },
  'token.refresh': { body: z.object({}), result: z.object({ token: z.string(), expires_at: z.number().int() }) },
  ping: { body: z.object({ t: z.number() }), result: z.object({ t: z.number(), server_time: z.number().int() }) },
} as const;

export type RequestType = keyof typeof REQUESTS;
export type RequestBody<T extends RequestType> = z.input<(typeof REQUESTS)[T]['body']>;
export type ParsedRequestBody<T extends RequestType> = z.output<(typeof REQUESTS)[T]['body']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['result']>;

/** Envelope of a client request. `id` is chosen by the client; without it no reply is sent on success. */
export const ClientEnvelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(64).optional(),
  type: z.string().min(1).max(40),
  body: z.unknown().default({}),
});
export type ClientEnvelope = z.infer<typeof ClientEnvelope>;

/** Server pushes that are not replies. `inbox` events are durable; the others are ephemeral. */
export const PUSHES = {
  inbox: z.object({ epoch: z.string(), events: z.array(InboxEvent) }),
  typing: z.object({ line_id: Id, uid: Id, display_name: z.string() }),
  presence: z.object({ uid: Id, online: z.boolean(), focused: z.boolean() }),
  drain: z.object({ retry_after_ms: z.number().int().nonnegative(), reason: z.string() }),
} as const;
export type PushType = keyof typeof PUSHES;
export type PushBody<T extends PushType> = z.infer<(typeof PUSHES)[T]>;

export const ServerEnvelope = z.discriminatedUnion('type', [
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('reply'), re: z.string(), body: z.unknown() }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('error'),
    re: z.string().nullable(),
    error: z.object({
      code: z.string(),
      message: z.string(),
      temporary: z.boolean(),
      retry_after_ms: z.number().int().nullable(),
    }),
  }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('push'),
    topic: z.enum(Object.keys(PUSHES) as [PushType, ...PushType[]]),
    body: z.unknown(),
  }),
]);
export type ServerEnvelope = z.infer<typeof ServerEnvelope>;

/** Long-poll answer body (GET /v1/poll): an inbox page plus the ephemeral pushes seen while waiting. */
export const PollResult = REQUESTS.sync.result.extend({ pushes: z.array(ServerEnvelope) });
export type PollResult = z.infer<typeof PollResult>;

export const LoginRequest = z.object({
  account: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  device_id: Id,
  protocol: z.number().int().default(PROTOCOL_VERSION),
});
export const LoginResult = z.object({ token: z.string(), expires_at: z.number().int(), user: UserRef });
export type LoginResult = z.infer<typeof LoginResult>;

export type FrameParse = { ok: true; envelopes: ClientEnvelope[] } | { ok: false; error: WireError };

/**
 * Parse one transport frame (a single envelope or a batch array) — the one place inbound bytes
 * become envelopes. Body validation happens per request type in `parseRequestBody`.
 */
export function parseClientFrame(text: string, maxBytes: number = LIMITS.maxPacketBytes): FrameParse {
  // Length in UTF-16 units is a cheap lower bound; the exact byte count is checked by the transport.
  if (text.length > maxBytes)
    return { ok: false, error: wireError('PAYLOAD_TOO_LARGE', `frame exceeds ${maxBytes} bytes`) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: wireError('BAD_PACKET', 'frame is not valid JSON') };
  }
  const items = Array.isArray(json) ? json : [json];
  if (items.length === 0 || items.length > LIMITS.maxBatch) {
    return { ok: false, error: wireError('BAD_PACKET', `a batch holds 1 to ${LIMITS.maxBatch} envelopes`) };
  }
  const envelopes: ClientEnvelope[] = [];
  for (const item of items as unknown[]) {
    const parsed = ClientEnvelope.safeParse(item);
    if (!parsed.success) {
      const versionWrong = typeof item === 'object' && item !== null && 'v' in item && item.v !== PROTOCOL_VERSION;
      return {
        ok: false,
        error: versionWrong
          ? wireError('PROTOCOL_VERSION', `this server speaks protocol version ${PROTOCOL_VERSION}`)
          : wireError('BAD_PACKET', describeIssues(parsed.error)),
      };
    }
    envelopes.push(parsed.data);
  }
  return { ok: true, envelopes };
}

export function isRequestType(type: string): type is RequestType {
  return Object.prototype.hasOwnProperty.call(REQUESTS, type);
}

export function parseRequestBody<T extends RequestType>(
  type: T,
  body: unknown,
): { ok: true; body: ParsedRequestBody<T> } | { ok: false; error: WireError } {
  const parsed = REQUESTS[type].body.safeParse(body);
  if (parsed.success) return { ok: true, body: parsed.data as ParsedRequestBody<T> };
  return { ok: false, error: wireError('BAD_PACKET', `${type}: ${describeIssues(parsed.error)}`) };
}

/** A short, precise, human-readable schema failure: "body.content.text: Too big". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map(
      (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message.replace(/received undefined$/, 'missing')}`,
    )
    .join('; ');
}

export function reply(re: string, body: unknown): ServerEnvelope {
  return { v: PROTOCOL_VERSION, type: 'reply', re, body };
}
export function errorReply(re: string | null, error: WireError): ServerEnvelope {
  return { v: PROTOCOL_VERSION, type: 'error', re, error };
}
export function push<T extends PushType>(topic: T, body: PushBody<T>): ServerEnvelope {
  return { v: PROTOCOL_VERSION, type: 'push', topic, body };
}
