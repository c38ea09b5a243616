import {
  IPC_METHODS,
  IpcError,
  isIpcMethod,
  type ChannelState,
  type Diagnostics,
  type IpcArgs,
  type IpcErrorShape,
  type IpcMethod,
  type IpcResult,
  type IpcTopic,
  type IpcTopicPayload,
  type MerchantImApi,
  type Session,
  type Settings,
} from '../../src-shared/ipc';
import { describeIssues } from '../../src-shared/protocol';
import { TopicBus } from '../bus/topic-bus';
import type { ClientTopics } from '../bus/topics';
import { login } from '../channel/auth-client';
import { NeedStack } from '../channel/need-stack';
import { TransportMemoryFile } from '../channel/transport-memory';
import type { ClientPorts } from '../ports';
import { isOpenableUrl } from '../ports/links';
import { AccountRuntime } from './account';
import { resolveConfig, type ClientConfig, type ConfigOverrides } from './config';
import { ClientError, errorShape, toErrorShape } from './errors';
import { tooLargeForContract } from './image-upload';
import { SessionFile, loadDeviceId, type SessionData } from './session-file';
import { SettingsFile } from './settings';

export interface ClientCoreOptions {
  /** Root of the app's data: session, settings, and one database folder per signed-in account. */
  dataDir: string;
  /** The host's ports; the core owns them from here on and disposes them. */
  ports: ClientPorts;
  /** Any subset of the timings and limits (see DEFAULT_CONFIG). */
  config?: ConfigOverrides;
  /** IT policy: a preset server URL; `locked` stops the user from signing in anywhere else. */
  serverUrl?: { url: string; locked: boolean };
  /** Shown in diagnostics (app, electron, chrome, node …). */
  versions?: Record<string, string>;
}

/** What `call` resolves to: the bridges' form of `invoke`, which never rejects. */
export type IpcOutcome = { ok: true; result: unknown } | { ok: false; error: IpcErrorShape };

type Handlers = { [M in IpcMethod]: (args: IpcResultArgs<M>) => Promise<IpcResult<M>> | IpcResult<M> };
type IpcResultArgs<M extends IpcMethod> = import('zod').infer<(typeof IPC_METHODS)[M]['args']>;

const MAX_RECENT_ERRORS = 50;
/** Longest wait for bus subscribers on dispose. */
const DISPOSE_DRAIN_MS = 1_000;

/**
 * The client core's facade: the renderer contract (src-shared/ipc) implemented over the ports,
 * the data channel, the local store and the bus. The Electron main process and the browser-mode
 * host each construct one, call `start()`, forward `invoke`/`subscribe`, and `dispose()` on quit.
 */
export class ClientCore implements MerchantImApi {
  readonly config: ClientConfig;
  private readonly bus: TopicBus<ClientTopics>;
  private readonly needs = new NeedStack();
  private readonly settings: SettingsFile;
  private readonly sessionFile: SessionFile;
  private readonly memory: TransportMemoryFile;
  private account: AccountRuntime | null = null;
  /** Why the signed-in account could not be opened (e.g. STORE_CORRUPT), reported by every call that needs it. */
  private accountError: ClientError | null = null;
  private readonly recentErrors: Diagnostics['recent_errors'] = [];
  private readonly disposers: (() => void)[] = [];
  private session: Session;
  private channelState: ChannelState;
  private started: Promise<void> | null = null;
  private disposed = false;
  readonly deviceId: string;

  constructor(private readonly options: ClientCoreOptions) {
    const { ports } = options;
    this.config = resolveConfig(options.config);
    const onInvalid = (path: string, reason: string): void =>
      ports.log.warn({ path, reason }, 'ignoring unreadable file');
    this.bus = new TopicBus<ClientTopics>({
      now: () => ports.clock.now(),
      onError: (topic, err) =>
        this.noteError('SUBSCRIBER_FAILED', `${topic}: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.settings = new SettingsFile(options.dataDir, onInvalid);
    this.sessionFile = new SessionFile(options.dataDir, ports.secrets, onInvalid);
    this.memory = new TransportMemoryFile(options.dataDir);
    this.deviceId = loadDeviceId(options.dataDir, ports.random);
    this.session = this.signedOutSession();
    this.channelState = {
      status: 'signed_out',
      transport: null,
      retry_at: null,
      last_error: null,
      since: ports.clock.now(),
    };

    this.disposers.push(
      this.needs.onChange((top) => this.bus.publish('need.changed', top)),
      ports.window.onChange((state) => this.bus.publish('window.changed', state)),
    );
  }

  /** Restores the stored session (if any) and starts connecting. Idempotent. */
  start(): Promise<void> {
    this.started ??= Promise.resolve().then(() => this.restore());
    return this.started;
  }

  invoke<M extends IpcMethod>(method: M, args: IpcArgs<M>): Promise<IpcResult<M>> {
    return this.call(method, args).then((outcome) => {
      if (!outcome.ok) throw new IpcError(outcome.error);
      return outcome.result as IpcResult<M>;
    });
  }

  /** `invoke` for bridges: takes an unchecked method name and arguments, resolves to data either way. */
  async call(method: string, args: unknown): Promise<IpcOutcome> {
    if (this.disposed) return { ok: false, error: errorShape('DISPOSED', 'the client core has been shut down') };
    if (!isIpcMethod(method)) return { ok: false, error: errorShape('UNKNOWN_TYPE', `no such method: ${method}`) };
    const parsed = IPC_METHODS[method].args.safeParse(args ?? {});
    if (!parsed.success) {
      const tooLarge =
        method === 'media.upload' || method === 'message.sendImage'
          ? tooLargeForContract(args, this.config.media.maxBytes)
          : null;
      if (tooLarge) return { ok: false, error: tooLarge.toShape() };
      return { ok: false, error: errorShape('INVALID_ARGUMENT', `${method}: ${describeIssues(parsed.error)}`) };
    }
    try {
      if (this.started) await this.started;
      const handler = this.handlers[method] as (a: unknown) => unknown;
      return { ok: true, result: await handler(parsed.data) };
    } catch (err) {
      const error = toErrorShape(err);
      this.noteError(error.code, error.message);
      return { ok: false, error };
    }
  }

  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void {
    return this.bus.subscribe(topic, listener as (payload: ClientTopics[T]) => void);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.started?.catch(() => {});
    for (const dispose of this.disposers.splice(0)) dispose();
    this.account?.dispose();
    this.account = null;
    this.needs.dispose();
    const { ports } = this.options;
    ports.network.dispose();
    ports.power.dispose();
    ports.window.dispose();
    ports.notifier.dispose();
    // Let queued deliveries finish, but a subscriber that never returns must not hold up quitting.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.bus.idle(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    this.bus.dispose();
  }

  private readonly handlers: Handlers = {
    'session.get': () => this.session,
    'session.signIn': (a) => this.signIn(a.server_url, a.account, a.password),
    'session.signOut': () => this.signOut(),
    'lines.list': (filter) => this.signedIn().lines(filter),
    'history.load': (a) => this.signedIn().history(a.line_id, a.before_key, a.limit),
    'message.send': (a) => this.signedIn().send(a.line_id, a.content),
    'message.sendImage': ({ line_id, ...image }) => this.signedIn().sendImage(line_id, image),
    'message.retry': (a) => this.signedIn().retry(a.random_id),
    'message.delete': (a) => {
      this.signedIn().deleteFailed(a.random_id);
      return {};
    },
    'line.markRead': (a) => {
      this.signedIn().markRead(a.line_id);
      return {};
    },
    'line.transfer': (a) => this.signedIn().transfer(a.line_id, a.to),
    'line.setStatus': (a) => this.signedIn().setStatus(a.line_id, a.status),
    'line.mute': (a) => this.signedIn().mute(a.line_id, a.muted),
    'draft.set': (a) => {
      this.signedIn().store.setDraft(a.line_id, a.text, this.options.ports.clock.now());
      return {};
    },
    'drafts.get': () => this.signedIn().store.drafts(),
    'line.typing': async (a) => {
      await this.signedIn().typing(a.line_id);
      return {};
    },
    'staff.list': () => this.signedIn().staff(),
    search: (a) => this.signedIn().search(a.query, a.limit),
    'quickReplies.list': () => this.signedIn().quickReplies(),
    'quickReplies.put': (a) => this.signedIn().putQuickReply(a),
    'quickReplies.delete': async (a) => {
      await this.signedIn().deleteQuickReply(a.id);
      return {};
    },
    'need.push': ({ need }) => ({ depth: this.needs.push(need) }),
    'need.pop': () => ({ depth: this.needs.pop() }),
    'window.focus': ({ focused, visible }) => {
      this.options.ports.window.report({ focused, visible, minimised: !visible });
      return {};
    },
    'settings.get': () => this.settings.get(),
    'settings.set': (patch) => this.updateSettings(patch),
    'diagnostics.get': () => this.diagnostics(),
    'notifications.test': () => this.testNotification(),
    'media.upload': (a) => this.signedIn().uploadImage(a),
    'media.get': ({ url, variant }) => this.signedIn().fetchImage(url, variant),
    'link.open': async ({ url }) => {
      if (!isOpenableUrl(url)) throw new ClientError('INVALID_ARGUMENT', 'only http and https links can be opened');
      await this.options.ports.links.open(url);
      return {};
    },
  };

  /** The running account, for hosts and tests that need more than the renderer contract (null when signed out). */
  get runtime(): AccountRuntime | null {
    return this.account;
  }

  private restore(): void {
    const stored = this.sessionFile.read();
    if (!stored || this.disposed) return;
    this.session = this.signedInSession(stored);
    try {
      this.openAccount(stored);
    } catch (err) {
      // The session stays (the user did not sign out); the channel and every call say why nothing works.
      const error = toErrorShape(err);
      this.accountError = ClientError.fromWire(error);
      this.noteError(error.code, error.message);
      this.setChannelState({
        status: 'stopped',
        transport: null,
        retry_at: null,
        last_error: error,
        since: this.options.ports.clock.now(),
      });
    }
    this.bus.publish('session.changed', this.session);
  }

  private async signIn(serverUrl: string, account: string, password: string): Promise<Session> {
    const policy = this.options.serverUrl;
    if (policy?.locked && normaliseUrl(serverUrl) !== normaliseUrl(policy.url)) {
      throw new ClientError('FORBIDDEN', 'the server address is set by your administrator');
    }
    const url = normaliseUrl(serverUrl);
    const agent = await this.options.ports.agents?.agentFor(url);
    const result = await login(url, { account, password, deviceId: this.deviceId, agent });
    if (this.disposed) throw new ClientError('DISPOSED', 'the client core has been shut down');
    this.closeAccount();
    const data: SessionData = {
      server_url: url,
      user: result.user,
      token: result.token,
      expires_at: result.expires_at,
    };
    // Open the database before remembering the session: a database that cannot open fails the sign-in.
    this.openAccount(data);
    this.sessionFile.write(data);
    this.session = this.signedInSession(data);
    this.bus.publish('session.changed', this.session);
    return this.session;
  }

  private signOut(): Session {
    this.closeAccount();
    this.sessionFile.clear();
    this.session = this.signedOutSession();
    this.setChannelState({
      status: 'signed_out',
      transport: null,
      retry_at: null,
      last_error: null,
      since: this.options.ports.clock.now(),
    });
    this.bus.publish('session.changed', this.session);
    return this.session;
  }

  private openAccount(data: SessionData): void {
    const account = new AccountRuntime(
      {
        dataDir: this.options.dataDir,
        ports: this.options.ports,
        config: this.config,
        bus: this.bus,
        needs: this.needs,
        memory: this.memory,
        deviceId: this.deviceId,
        settings: () => this.settings.get(),
        saveSession: (s) => this.sessionFile.write(s),
        onChannelState: (state) => this.setChannelState(state),
        onError: (code, message) => this.noteError(code, message),
      },
      data,
    );
    this.account = account;
    account.start();
  }

  private closeAccount(): void {
    this.account?.dispose();
    this.account = null;
    this.accountError = null;
  }

  private signedIn(): AccountRuntime {
    if (this.account) return this.account;
    throw this.accountError ?? new ClientError('NOT_SIGNED_IN', 'sign in first');
  }

  private setChannelState(state: ChannelState): void {
    this.channelState = state;
    if (state.last_error && state.status !== 'online') this.noteError(state.last_error.code, state.last_error.message);
    this.bus.publish('channel.state', state);
  }

  private signedInSession(data: SessionData): Session {
    const policy = this.options.serverUrl;
    return {
      signed_in: true,
      user: data.user,
      server_url: data.server_url,
      server_url_locked: policy?.locked ?? false,
    };
  }

  private updateSettings(patch: Partial<Settings>): Settings {
    const next = this.settings.update(patch);
    this.bus.publish('settings.changed', next);
    return next;
  }

  private diagnostics(): Diagnostics {
    const notifier = this.options.ports.notifier;
    return {
      versions: { node: process.versions.node, ...this.options.versions },
      channel: this.channelState,
      recent_errors: [...this.recentErrors],
      topic_counters: Object.fromEntries(Object.entries(this.bus.stats()).map(([topic, c]) => [topic, c.published])),
      notifications: {
        supported: notifier.supported,
        suppressed_reason: notifier.supported
          ? (this.account?.push.suppressedReason() ?? null)
          : 'not supported by this host',
      },
    };
  }

  private testNotification(): { shown: boolean; reason: string | null } {
    const notifier = this.options.ports.notifier;
    if (!notifier.supported) return { shown: false, reason: 'not supported by this host' };
    notifier.show(
      { tag: 'test', title: 'Merchant IM', body: 'Notifications are working.', count: 1, sound: false },
      () => {},
    );
    return { shown: true, reason: null };
  }

  private signedOutSession(): Session {
    const policy = this.options.serverUrl;
    return {
      signed_in: false,
      user: null,
      server_url: policy?.url ?? null,
      server_url_locked: policy?.locked ?? false,
    };
  }

  private noteError(code: string, message: string): void {
    this.recentErrors.push({ at: this.options.ports.clock.now(), code, message });
    if (this.recentErrors.length > MAX_RECENT_ERRORS) this.recentErrors.shift();
  }
}

/** One spelling per server, so the per-server memory and the account folder match across sign-ins. */
function normaliseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    throw new ClientError('INVALID_ARGUMENT', `not a server address: ${url}`);
  }
}
