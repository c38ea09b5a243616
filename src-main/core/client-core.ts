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
import { NeedStack } from '../channel/need-stack';
import type { ClientPorts } from '../ports';
import { isOpenableUrl } from '../ports/links';
import { resolveConfig, type ClientConfig, type ConfigOverrides } from './config';
import { ClientError, errorShape, toErrorShape } from './errors';
import { SessionFile, loadDeviceId } from './session-file';
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
    const onInvalid = (path: string, reason: string): void => ports.log.warn({ path, reason }, 'ignoring unreadable file');
    this.bus = new TopicBus<ClientTopics>({
      now: () => ports.clock.now(),
      onError: (topic, err) => this.noteError('SUBSCRIBER_FAILED', `${topic}: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.settings = new SettingsFile(options.dataDir, onInvalid);
    this.sessionFile = new SessionFile(options.dataDir, ports.secrets, onInvalid);
    this.deviceId = loadDeviceId(options.dataDir, ports.random);
    this.session = this.signedOutSession();
    this.channelState = { status: 'signed_out', transport: null, retry_at: null, last_error: null, since: ports.clock.now() };

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
    if (!parsed.success) return { ok: false, error: errorShape('INVALID_ARGUMENT', `${method}: ${describeIssues(parsed.error)}`) };
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
    this.needs.dispose();
    const { ports } = this.options;
    ports.network.dispose();
    ports.power.dispose();
    ports.window.dispose();
    ports.notifier.dispose();
    await this.bus.idle();
    this.bus.dispose();
  }

  private readonly handlers: Handlers = {
    'session.get': () => this.session,
    'session.signIn': () => notReady('session.signIn'),
    'session.signOut': () => notReady('session.signOut'),
    'lines.list': () => notReady('lines.list'),
    'history.load': () => notReady('history.load'),
    'message.send': () => notReady('message.send'),
    'message.retry': () => notReady('message.retry'),
    'message.delete': () => notReady('message.delete'),
    'line.markRead': () => notReady('line.markRead'),
    'line.transfer': () => notReady('line.transfer'),
    'line.setStatus': () => notReady('line.setStatus'),
    'line.mute': () => notReady('line.mute'),
    'line.typing': () => notReady('line.typing'),
    'staff.list': () => notReady('staff.list'),
    search: () => notReady('search'),
    'quickReplies.list': () => notReady('quickReplies.list'),
    'quickReplies.put': () => notReady('quickReplies.put'),
    'quickReplies.delete': () => notReady('quickReplies.delete'),
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
    'media.upload': () => notReady('media.upload'),
    'link.open': async ({ url }) => {
      if (!isOpenableUrl(url)) throw new ClientError('INVALID_ARGUMENT', 'only http and https links can be opened');
      await this.options.ports.links.open(url);
      return {};
    },
  };

  private restore(): void {
    // Session restore and connecting arrive with the data channel.
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
      notifications: { supported: notifier.supported, suppressed_reason: notifier.supported ? null : 'not supported by this host' },
    };
  }

  private testNotification(): { shown: boolean; reason: string | null } {
    const notifier = this.options.ports.notifier;
    if (!notifier.supported) return { shown: false, reason: 'not supported by this host' };
    notifier.show({ tag: 'test', title: 'Merchant IM', body: 'Notifications are working.', count: 1, sound: false }, () => {});
    return { shown: true, reason: null };
  }

  private signedOutSession(): Session {
    const policy = this.options.serverUrl;
    return { signed_in: false, user: null, server_url: policy?.url ?? null, server_url_locked: policy?.locked ?? false };
  }

  private noteError(code: string, message: string): void {
    this.recentErrors.push({ at: this.options.ports.clock.now(), code, message });
    if (this.recentErrors.length > MAX_RECENT_ERRORS) this.recentErrors.shift();
  }
}

function notReady(method: string): never {
  throw new ClientError('NOT_READY', `${method} is not available yet in this build`);
}
