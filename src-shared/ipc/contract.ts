import { z } from 'zod';
import {
  BusiType,
  Id,
  ImageContent,
  Line,
  LineStatus,
  Message,
  Need,
  QuickReply,
  SendableContent,
  StaffMember,
  UserRef,
} from '../protocol/schemas';
import { LIMITS } from '../protocol/limits';

/**
 * The typed contract between the client core (main process, or the browser-mode host) and the
 * renderer. The renderer sees exactly this — one object on `window` — never Node nor Electron.
 * Implemented by the client core; proxied by the Electron preload and by the browser-mode bridge.
 */

export const IpcErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  temporary: z.boolean(),
  retry_after_ms: z.number().int().nullable(),
});
export type IpcErrorShape = z.infer<typeof IpcErrorShape>;

export const DeliveryState = z.enum(['sending', 'sent', 'read', 'failed']);
export type DeliveryState = z.infer<typeof DeliveryState>;

/** A message as the client store holds it: outgoing ones exist before the server knows them. */
export const LocalMessage = Message.extend({
  message_id: Id.nullable(),
  random_id: z.string().nullable(),
  /** Stable key for lists: message_id once known, else `local:<random_id>`. */
  key: z.string(),
  state: DeliveryState,
  error: IpcErrorShape.nullable(),
});
export type LocalMessage = z.infer<typeof LocalMessage>;

export const LineView = Line.extend({
  unread: z.number().int().nonnegative(),
  muted: z.boolean(),
  last_message: LocalMessage.nullable(),
});
export type LineView = z.infer<typeof LineView>;

export const Transport = z.enum(['ws', 'poll']);
export const ChannelState = z.object({
  status: z.enum(['signed_out', 'connecting', 'online', 'backoff', 'offline', 'stopped']),
  transport: Transport.nullable(),
  /** When status is backoff: epoch ms of the next attempt. */
  retry_at: z.number().int().nullable(),
  last_error: IpcErrorShape.nullable(),
  since: z.number().int(),
});
export type ChannelState = z.infer<typeof ChannelState>;

export const Language = z.enum(['en', 'zh-CN']);
export const Settings = z.object({
  notifications: z.object({
    enabled: z.boolean(),
    sound: z.boolean(),
    /** Do-not-disturb until this epoch ms; null = off. */
    dnd_until: z.number().int().nullable(),
  }),
  language: Language,
  start_at_login: z.boolean(),
  close_to_tray: z.boolean(),
  flash_on_message: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

export const Session = z.object({
  signed_in: z.boolean(),
  user: UserRef.nullable(),
  server_url: z.string().nullable(),
  /** Set when IT locked the server URL by policy. */
  server_url_locked: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export const SearchHit = z.object({ message: LocalMessage, line: LineView.nullable(), snippet: z.string() });
export type SearchHit = z.infer<typeof SearchHit>;

export const Diagnostics = z.object({
  versions: z.record(z.string(), z.string()),
  channel: ChannelState,
  recent_errors: z.array(z.object({ at: z.number().int(), code: z.string(), message: z.string() })),
  topic_counters: z.record(z.string(), z.number().int()),
  notifications: z.object({ supported: z.boolean(), suppressed_reason: z.string().nullable() }),
});
export type Diagnostics = z.infer<typeof Diagnostics>;

const LineFilter = z.object({
  busi_type: BusiType.optional(),
  status: LineStatus.optional(),
  mine: z.boolean().optional(),
});

/** A server media path as `media.upload` answers it: `/v1/media/<sha256 hex>.<ext>` (protocol §8). */
export const MEDIA_URL_PATTERN = /^\/v1\/media\/[0-9a-f]{64}\.(?:png|jpg|webp|gif)$/;

/** A composer's unsent text: what a text message may hold. */
const DraftText = z.string().max(LIMITS.maxTextLength);

/** An image the user pasted or picked, as the renderer hands it over (8 MiB of image at most). */
export const ImageFile = z.object({
  name: z.string().max(255),
  mime: ImageContent.shape.mime,
  data_base64: z
    .string()
    .min(1)
    .max(Math.ceil((8 * 1024 * 1024 * 4) / 3) + 4),
  width: ImageContent.shape.width,
  height: ImageContent.shape.height,
});

/** Every request the renderer can make: argument schema and result schema. */
export const IPC_METHODS = {
  'session.get': { args: z.object({}), result: Session },
  'session.signIn': {
    args: z.object({
      server_url: z.string().url().max(2048),
      account: z.string().min(1).max(100),
      password: z.string().min(1).max(200),
    }),
    result: Session,
  },
  'session.signOut': { args: z.object({}), result: Session },
  'lines.list': { args: LineFilter, result: z.array(LineView) },
  'history.load': {
    args: z.object({
      line_id: Id,
      before_key: z.string().optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    result: z.object({ messages: z.array(LocalMessage), more: z.boolean() }),
  },
  'message.send': { args: z.object({ line_id: Id, content: SendableContent }), result: LocalMessage },
  'message.retry': { args: z.object({ random_id: z.string() }), result: LocalMessage },
  'message.delete': { args: z.object({ random_id: z.string() }), result: z.object({}) },
  'line.markRead': { args: z.object({ line_id: Id }), result: z.object({}) },
  'line.transfer': { args: z.object({ line_id: Id, to: Id }), result: LineView },
  'line.setStatus': { args: z.object({ line_id: Id, status: LineStatus }), result: LineView },
  'line.mute': { args: z.object({ line_id: Id, muted: z.boolean() }), result: LineView },
  /**
   * Unsent composer text, kept per line in the account's store so a restart (an update, a crash)
   * loses no typing. An empty text forgets the line's draft.
   */
  'draft.set': { args: z.object({ line_id: Id, text: DraftText }), result: z.object({}) },
  'drafts.get': { args: z.object({}), result: z.record(Id, DraftText) },
  'line.typing': { args: z.object({ line_id: Id }), result: z.object({}) },
  'staff.list': { args: z.object({}), result: z.array(StaffMember) },
  search: {
    args: z.object({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(200).default(50) }),
    result: z.array(SearchHit),
  },
  'quickReplies.list': { args: z.object({}), result: z.array(QuickReply) },
  'quickReplies.put': {
    args: z.object({ id: Id.optional(), title: z.string().min(1).max(60), text: z.string().min(1).max(4000) }),
    result: QuickReply,
  },
  'quickReplies.delete': { args: z.object({ id: Id }), result: z.object({}) },
  /** Request stack (seed 2.1.2): push what this view needs, pop when it goes away. */
  'need.push': { args: z.object({ need: Need }), result: z.object({ depth: z.number().int() }) },
  'need.pop': { args: z.object({}), result: z.object({ depth: z.number().int() }) },
  /** The renderer's visibility/focus, which the browser-mode host cannot see itself. */
  'window.focus': { args: z.object({ focused: z.boolean(), visible: z.boolean() }), result: z.object({}) },
  'settings.get': { args: z.object({}), result: Settings },
  'settings.set': { args: Settings.partial(), result: Settings },
  'diagnostics.get': { args: z.object({}), result: Diagnostics },
  'notifications.test': { args: z.object({}), result: z.object({ shown: z.boolean(), reason: z.string().nullable() }) },
  /**
   * Upload an image now (needs a connection); the result is the server's content for message.send.
   * Base64 because the contract crosses JSON-only boundaries; 8 MiB of image at most.
   */
  'media.upload': { args: ImageFile, result: ImageContent },
  /**
   * Send an image the user pasted or picked: like message.send, it is queued in the outbox and
   * shown at once as sending (also offline), then uploaded and sent in its turn. `width`/`height`
   * size the bubble until the server's copy, with its real size, replaces the local echo.
   */
  'message.sendImage': { args: ImageFile.extend({ line_id: Id }), result: LocalMessage },
  /**
   * An image a message names, fetched by the core with the session's credentials (the renderer
   * never holds the token, so it cannot load server media by URL) and kept in a local cache.
   * Only this server's content-addressed media paths, exactly as `media.upload` answers them.
   * `variant: 'thumb'` asks for the thumbnail (protocol §8): at most 520 px on its longest side, or
   * the image itself when it is that small or animated; `mime` says which it is.
   */
  'media.get': {
    args: z.object({ url: z.string().regex(MEDIA_URL_PATTERN), variant: z.enum(['thumb']).optional() }),
    result: z.object({ mime: ImageContent.shape.mime, data_base64: z.string() }),
  },
  'link.open': { args: z.object({ url: z.string().url().max(4096) }), result: z.object({}) },
} as const;

export type IpcMethod = keyof typeof IPC_METHODS;
export type IpcArgs<M extends IpcMethod> = z.input<(typeof IPC_METHODS)[M]['args']>;
export type IpcResult<M extends IpcMethod> = z.infer<(typeof IPC_METHODS)[M]['result']>;

/** Topics the renderer can subscribe to (the client core's bus, seed 2.2). */
export const IPC_TOPICS = {
  'message.new': LocalMessage,
  'message.updated': LocalMessage,
  'line.updated': LineView,
  'unread.changed': z.object({ line_id: Id, unread: z.number().int(), total: z.number().int() }),
  typing: z.object({ line_id: Id, uid: Id, display_name: z.string() }),
  'channel.state': ChannelState,
  'session.changed': Session,
  'settings.changed': Settings,
  /** Main asks the UI to open a line (notification click, deep link). */
  'ui.openLine': z.object({ line_id: Id, message_id: Id.nullable() }),
} as const;
export type IpcTopic = keyof typeof IPC_TOPICS;
export type IpcTopicPayload<T extends IpcTopic> = z.infer<(typeof IPC_TOPICS)[T]>;

/** The one object the renderer gets on `window.merchantIm`. */
export interface MerchantImApi {
  invoke<M extends IpcMethod>(method: M, args: IpcArgs<M>): Promise<IpcResult<M>>;
  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void;
}

/** Rejection value of `invoke`: an Error whose fields mirror the wire error. */
export class IpcError extends Error {
  constructor(readonly detail: IpcErrorShape) {
    super(detail.message);
    this.name = 'IpcError';
  }
  get code(): string {
    return this.detail.code;
  }
}

export function isIpcMethod(name: string): name is IpcMethod {
  return Object.prototype.hasOwnProperty.call(IPC_METHODS, name);
}
export function isIpcTopic(name: string): name is IpcTopic {
  return Object.prototype.hasOwnProperty.call(IPC_TOPICS, name);
}
