import {
  IpcError,
  type IpcArgs,
  type IpcMethod,
  type IpcResult,
  type IpcTopic,
  type IpcTopicPayload,
  type LineView,
  type LocalMessage,
  type MerchantImApi,
  type Session,
  type Settings,
} from '../../../src-shared/ipc';
import type { QuickReply, StaffMember } from '../../../src-shared/protocol';
import { SETTINGS, SIGNED_IN } from './fixtures';

/** Every image the fake serves: one transparent pixel. */
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** What the fake answers for `variant: 'thumb'`: a WebP, as the server's thumbnails are, so tests can tell them apart. */
const ONE_PIXEL_WEBP = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

type Handler<M extends IpcMethod> = (args: IpcArgs<M>) => IpcResult<M> | Promise<IpcResult<M>>;
type Overrides = { [M in IpcMethod]?: Handler<M> };

export interface FakeState {
  session: Session;
  settings: Settings;
  lines: LineView[];
  /** Messages per line, oldest first. */
  history: Record<string, LocalMessage[]>;
  staff: StaffMember[];
  quickReplies: QuickReply[];
  /** Unsent composer text per line, as the core keeps it. */
  drafts: Record<string, string>;
}

/**
 * An in-memory stand-in for the client core behind the contract: enough behaviour for the UI
 * (history pages, sends that come back as "sending", line actions), every call recorded, and
 * `emit` to play the bus. No Node imports, so the UI benchmark can bundle it for the browser.
 */
export class FakeApi implements MerchantImApi {
  readonly calls: { method: IpcMethod; args: unknown }[] = [];
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private sent = 0;
  state: FakeState;

  constructor(
    state: Partial<FakeState> = {},
    private readonly overrides: Overrides = {},
  ) {
    this.state = {
      session: SIGNED_IN,
      settings: SETTINGS,
      lines: [],
      history: {},
      staff: [],
      quickReplies: [],
      drafts: {},
      ...state,
    };
  }

  /** The local echo the core answers a send with: sending, until the server has it. */
  private echo(lineId: string, content: LocalMessage['content']): LocalMessage {
    const randomId = `lx${String(++this.sent).padStart(4, '0')}-fakefakefakefake`;
    return {
      message_id: null,
      line_id: lineId,
      sender: this.state.session.user?.uid ?? 'me',
      sender_role: 'staff',
      random_id: randomId,
      content,
      ts: Date.now(),
      key: `local:${randomId}`,
      state: 'sending',
      error: null,
    };
  }

  emit<T extends IpcTopic>(topic: T, payload: IpcTopicPayload<T>): void {
    for (const listener of this.listeners.get(topic) ?? []) (listener as (p: IpcTopicPayload<T>) => void)(payload);
  }

  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  listenerCount(topic: IpcTopic): number {
    return this.listeners.get(topic)?.size ?? 0;
  }

  callsOf<M extends IpcMethod>(method: M): IpcArgs<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as IpcArgs<M>);
  }

  async invoke<M extends IpcMethod>(method: M, args: IpcArgs<M>): Promise<IpcResult<M>> {
    this.calls.push({ method, args });
    await Promise.resolve();
    const override = this.overrides[method];
    if (override) return override(args);
    return this.handle(method, args) as IpcResult<M>;
  }

  private line(lineId: string): LineView {
    const line = this.state.lines.find((l) => l.line_id === lineId);
    if (!line)
      throw new IpcError({ code: 'NOT_FOUND', message: `no line ${lineId}`, temporary: false, retry_after_ms: null });
    return line;
  }

  private handle(method: IpcMethod, args: Record<string, unknown>): unknown {
    switch (method) {
      case 'session.get':
        return this.state.session;
      case 'session.signIn':
        return (this.state.session = { ...this.state.session, signed_in: true, server_url: args.server_url as string });
      case 'session.signOut':
        return (this.state.session = { ...this.state.session, signed_in: false, user: null });
      case 'settings.get':
        return this.state.settings;
      case 'settings.set':
        return (this.state.settings = { ...this.state.settings, ...(args as Partial<Settings>) });
      case 'lines.list':
        return this.state.lines;
      case 'history.load': {
        const all = this.state.history[args.line_id as string] ?? [];
        const end = args.before_key === undefined ? all.length : all.findIndex((m) => m.key === args.before_key);
        const limit = (args.limit as number | undefined) ?? 50;
        const start = Math.max(0, end - limit);
        return { messages: all.slice(start, end), more: start > 0 };
      }
      case 'message.send':
        return this.echo(args.line_id as string, args.content as LocalMessage['content']);
      case 'message.sendImage': {
        // The core names a queued image by the sha256 of its bytes; any such path will do here.
        const url = `/v1/media/${String(++this.sent).padStart(64, '0')}.${args.mime === 'image/jpeg' ? 'jpg' : 'png'}`;
        const { mime, width, height } = args as IpcArgs<'message.sendImage'>;
        return this.echo(args.line_id as string, { type: 'image', url, mime, width, height });
      }
      case 'message.retry':
        return { ...this.findByRandomId(args.random_id as string), state: 'sending', error: null };
      case 'line.transfer': {
        const to = this.state.staff.find((s) => s.uid === args.to);
        return {
          ...this.line(args.line_id as string),
          assignee: args.to as string,
          assignee_name: to?.display_name ?? null,
        };
      }
      case 'line.setStatus':
        return { ...this.line(args.line_id as string), status: args.status as LineView['status'] };
      case 'line.mute':
        return { ...this.line(args.line_id as string), muted: args.muted as boolean };
      case 'staff.list':
        return this.state.staff;
      case 'drafts.get':
        return { ...this.state.drafts };
      case 'draft.set': {
        const { line_id, text } = args as IpcArgs<'draft.set'>;
        if (text) this.state.drafts[line_id] = text;
        else delete this.state.drafts[line_id];
        return {};
      }
      case 'quickReplies.list':
        return this.state.quickReplies;
      case 'quickReplies.put': {
        const reply = {
          id: (args.id as string | undefined) ?? `q${this.state.quickReplies.length + 1}`,
          title: args.title as string,
          text: args.text as string,
        };
        this.state.quickReplies = [...this.state.quickReplies.filter((q) => q.id !== reply.id), reply];
        return reply;
      }
      case 'search':
        return Object.values(this.state.history)
          .flat()
          .filter((m) => m.content.type === 'text' && m.content.text.includes(args.query as string))
          .map((m) => ({
            message: m,
            line: this.state.lines.find((l) => l.line_id === m.line_id) ?? null,
            snippet: m.content.type === 'text' ? m.content.text : '',
          }));
      case 'diagnostics.get':
        return {
          versions: { app: '0.1.0' },
          channel: { status: 'online', transport: 'ws', retry_at: null, last_error: null, since: 0 },
          recent_errors: [],
          topic_counters: { 'message.new': 3 },
          notifications: { supported: true, suppressed_reason: null },
        };
      case 'notifications.test':
        return { shown: true, reason: null };
      case 'need.push':
      case 'need.pop':
        return { depth: 1 };
      case 'media.get':
        return args.variant === 'thumb'
          ? { mime: 'image/webp', data_base64: ONE_PIXEL_WEBP }
          : { mime: 'image/png', data_base64: ONE_PIXEL_PNG };
      default:
        return {};
    }
  }

  private findByRandomId(randomId: string): LocalMessage {
    for (const messages of Object.values(this.state.history)) {
      const m = messages.find((x) => x.random_id === randomId);
      if (m) return m;
    }
    throw new IpcError({ code: 'NOT_FOUND', message: 'no such message', temporary: false, retry_after_ms: null });
  }
}
