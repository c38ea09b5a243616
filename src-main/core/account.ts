import { join } from 'node:path';
import type { ChannelState, LineView, LocalMessage, SearchHit, Settings } from '../../src-shared/ipc';
import { makeRandomId, type Line, type QuickReply, type StaffMember } from '../../src-shared/protocol';
import type { TopicBus } from '../bus/topic-bus';
import type { ClientTopics } from '../bus/topics';
import { refresh } from '../channel/auth-client';
import { DataChannel } from '../channel/data-channel';
import type { UploadedImage } from '../channel/media-client';
import type { NeedStack } from '../channel/need-stack';
import type { TransportMemoryFile } from '../channel/transport-memory';
import type { ClientPorts } from '../ports';
import type { TimerHandle } from '../ports/clock';
import { isForeground } from '../ports/window-state';
import { LocalPush } from '../push/local-push';
import { ClientStore, type LineFilter, type PendingUpload, type StoreChanges } from '../store/client-store';
import { accountDatabasePath, openDatabase } from '../store/database';
import type { OutgoingContent } from '../store/rows';
import { searchMessages } from '../store/search';
import { InboxSync } from '../sync/inbox-sync';
import { OutboxSender } from '../sync/outbox-sender';
import type { ClientConfig } from './config';
import { ClientError, toErrorShape } from './errors';
import { ImageCache } from './image-cache';
import { fetchImage, type FetchedImage } from './image-fetch';
import {
  decodeImage,
  localMediaPath,
  uploadImage,
  uploadImageBytes,
  type ImageUploadArgs,
  type ImageUploadHost,
} from './image-upload';
import type { MediaAccess } from './media-access';
import type { SessionData } from './session-file';

export interface AccountDeps {
  dataDir: string;
  ports: ClientPorts;
  config: ClientConfig;
  bus: TopicBus<ClientTopics>;
  needs: NeedStack;
  memory: TransportMemoryFile;
  deviceId: string;
  settings(): Settings;
  /** The session changed (refreshed token): persist it. */
  saveSession(session: SessionData): void;
  onChannelState(state: ChannelState): void;
  onError(code: string, message: string): void;
}

/** Lines fetched with `lines.list` on connect, to add any the inbox has not brought. */
const LINES_ON_CONNECT = 500;
/** Refresh the token when this share of its lifetime has passed. */
const REFRESH_AT = 0.8;

/**
 * Everything that exists while one account is signed in: its database, the data channel, resume,
 * outbox and local push, wired to the bus. Constructing it opens the database (a StoreError
 * propagates); `start()` connects; `dispose()` closes it all.
 */
export class AccountRuntime {
  readonly store: ClientStore;
  readonly channel: DataChannel;
  readonly sync: InboxSync;
  readonly outbox: OutboxSender;
  readonly push: LocalPush;
  private readonly images: ImageCache;
  private session: SessionData;
  private refreshTimer: TimerHandle | null = null;
  /** The refresh in flight, shared by everyone who meets an expiring token at the same time. */
  private refreshing: Promise<void> | null = null;
  private readonly offs: (() => void)[] = [];
  private disposed = false;

  constructor(
    private readonly d: AccountDeps,
    session: SessionData,
  ) {
    this.session = session;
    const path = accountDatabasePath(d.dataDir, session.server_url, session.user.uid);
    this.store = new ClientStore(
      openDatabase(path, { busyTimeoutMs: d.config.storeBusyTimeoutMs }),
      session.user.uid,
      path,
      session.user.role,
    );
    const { ports, config } = d;
    const onStoreError = (err: unknown): void => this.storeFailed(err);

    this.sync = new InboxSync({
      store: this.store,
      pageSize: config.sync.pageSize,
      onChanges: (c) => this.publish(c),
      onStoreError,
      onReset: () => this.refreshLines(),
      log: ports.log,
    });
    this.channel = new DataChannel(
      {
        serverUrl: session.server_url,
        deviceId: d.deviceId,
        token: () => this.session.token,
        refreshToken: () => this.refreshToken(),
        cursor: () => this.store.cursor(),
        focused: () => isForeground(ports.window.get()),
        agentFor: ports.agents ? (url) => ports.agents!.agentFor(url) : undefined,
        onConnected: (conn) => {
          this.sync.attach(conn);
          this.outbox.kick();
          this.refreshLines();
          this.sendPendingReads();
        },
        onInboxPush: (body) => this.sync.onInboxPush(body),
        onPollPage: (page) => this.sync.onPollPage(page),
        onTyping: (body) => d.bus.publish('typing', body),
        onPresence: (body) => d.bus.publish('presence.changed', body),
        onState: (state) => {
          if (state.status !== 'online') this.sync.detach();
          d.onChannelState(state);
        },
      },
      ports,
      config,
      d.memory,
      d.needs,
    );
    this.outbox = new OutboxSender({
      store: this.store,
      channel: this.channel,
      clock: ports.clock,
      log: ports.log,
      upload: (image) => uploadImageBytes(this.uploadHost(), image.bytes, image.mime),
      onChanges: (c) => this.publish(c),
      onFailed: (m) => this.publishMessage('message.updated', m),
      onStoreError,
    });
    this.push = new LocalPush({
      me: session.user.uid,
      notifier: ports.notifier,
      now: () => ports.clock.now(),
      window: () => ports.window.get(),
      openLineId: () => d.needs.openLineId(),
      settings: () => d.settings(),
      line: (id) => this.store.line(id),
      muted: (id) => this.store.isMuted(id),
      freshForMs: config.notify.freshForMs,
      previewChars: config.notify.previewChars,
      onOpenLine: (lineId, messageId) => d.bus.publish('ui.openLine', { line_id: lineId, message_id: messageId }),
    });
    this.images = new ImageCache({
      dir: join(d.dataDir, 'media-cache'),
      maxBytes: config.media.cacheMaxBytes,
      now: () => ports.clock.now(),
      log: ports.log,
    });
    this.offs.push(
      ports.window.onChange((w) => {
        if (this.channel.connection()) this.channel.fireAndForget('presence', { focused: isForeground(w) });
        this.readOpenLine();
      }),
      d.needs.onChange(() => this.readOpenLine()),
    );
  }

  get user(): SessionData['user'] {
    return this.session.user;
  }

  get serverUrl(): string {
    return this.session.server_url;
  }

  start(): void {
    this.channel.start();
    this.scheduleRefresh();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.offs.splice(0)) off();
    this.d.ports.clock.clearTimeout(this.refreshTimer);
    this.outbox.stop();
    this.channel.stop();
    this.push.dispose();
    this.images.dispose();
    this.store.close();
  }

  // ---- renderer methods ---------------------------------------------------------------------------

  lines(filter: LineFilter): LineView[] {
    return this.store.lines(filter);
  }

  /**
   * A page of a line's history, oldest first. The store can have holes: a staff member's inbox
   * carries a line's messages only while the line is theirs or queued (protocol §9), so after a
   * transfer away and back, or for a line that was someone else's, messages are missing locally.
   * The store therefore keeps, per line, a window it knows to be complete (built from `history`
   * pages, dropped when the line's messages stop reaching this inbox). A page inside that window
   * is answered locally; otherwise, when connected, the same window is fetched from the server and
   * merged (de-duplicated) first. Offline, the store answers alone.
   */
  async history(
    lineId: string,
    beforeKey: string | undefined,
    limit: number,
  ): Promise<{ messages: LocalMessage[]; more: boolean }> {
    const cached = this.store.history(lineId, beforeKey, limit);
    if (cached.complete || !this.channel.connection()) return { messages: cached.messages, more: cached.more };
    let remoteMore = false;
    // Local echoes sort after every server message, so "before a local key" means "the newest".
    const before = beforeKey === undefined || beforeKey.startsWith('local:') ? null : beforeKey;
    try {
      const remote = await this.channel.request('history', {
        line_id: lineId,
        limit,
        ...(before ? { before_message_id: before } : {}),
      });
      this.publish(
        this.store.addHistory(remote.messages, { line_id: lineId, before_message_id: before, more: remote.more }),
      );
      remoteMore = remote.more;
    } catch (err) {
      if (err instanceof ClientError && err.name === 'StoreError') throw err;
      this.d.ports.log.warn({ err: toErrorShape(err) }, 'history from the server failed; showing the local copy');
    }
    const local = this.store.history(lineId, beforeKey, limit);
    return { messages: local.messages, more: local.more || remoteMore };
  }

  send(lineId: string, content: OutgoingContent, upload?: PendingUpload): LocalMessage {
    const { clock, random } = this.d.ports;
    const message = this.store.enqueue({
      line_id: lineId,
      content,
      random_id: makeRandomId(clock.now(), random),
      role: this.session.user.role,
      now: clock.now(),
      ...(upload ? { upload } : {}),
    });
    this.publishMessage('message.new', message);
    this.publishLine(lineId);
    this.d.bus.publish('outbox.changed', { pending: this.store.outbox().length });
    this.outbox.kick();
    return message;
  }

  retry(randomId: string): LocalMessage {
    const message = this.store.retry(randomId, this.d.ports.clock.now());
    if (!message) throw new ClientError('NOT_FOUND', 'no failed message with that random_id');
    this.publishMessage('message.updated', message);
    this.outbox.kick();
    return message;
  }

  deleteFailed(randomId: string): void {
    const lineId = this.store.deleteFailed(randomId);
    if (lineId === null) throw new ClientError('NOT_FOUND', 'no failed message with that random_id');
    this.publishLine(lineId);
  }

  /** The receipt is stored with the read (see ClientStore.markRead) and sent now, or on the next connect. */
  markRead(lineId: string): void {
    const messageId = this.store.markRead(lineId, this.d.ports.clock.now());
    this.push.clear(lineId);
    this.publishUnread(lineId);
    this.publishLine(lineId);
    if (messageId !== null && this.channel.connection()) this.sendRead(lineId, messageId);
  }

  private sendPendingReads(): void {
    let pending;
    try {
      pending = this.store.pendingReads();
    } catch (err) {
      this.storeFailed(err);
      return;
    }
    for (const { line_id, message_id } of pending) this.sendRead(line_id, message_id);
  }

  private sendRead(lineId: string, messageId: string): void {
    const forget = (): void => {
      if (this.disposed) return;
      try {
        this.store.readDelivered(lineId, messageId);
      } catch (err) {
        this.storeFailed(err);
      }
    };
    this.channel
      .request('read', { line_id: lineId, message_id: messageId })
      .then(forget)
      .catch((err: unknown) => {
        const error = toErrorShape(err);
        // A line that is gone or not ours any more: nothing to tell. Temporary: kept for the next connect.
        if (!error.temporary) forget();
        this.d.ports.log.warn({ line_id: lineId, err: error }, 'read receipt not delivered yet');
      });
  }

  async transfer(lineId: string, to: string): Promise<LineView> {
    const { line } = await this.channel.request('line.transfer', { line_id: lineId, to });
    return this.adopt(line);
  }

  async setStatus(lineId: string, status: Line['status']): Promise<LineView> {
    const { line } = await this.channel.request('line.status', { line_id: lineId, status });
    return this.adopt(line);
  }

  mute(lineId: string, muted: boolean): LineView {
    this.store.setMuted(lineId, muted, this.d.ports.clock.now());
    if (muted) this.push.clear(lineId);
    const view = this.requireLine(lineId);
    this.d.bus.publish('line.updated', view);
    this.publishUnread(lineId);
    return view;
  }

  async typing(lineId: string): Promise<void> {
    await this.channel.request('typing', { line_id: lineId });
  }

  async staff(): Promise<StaffMember[]> {
    return (await this.channel.request('staff.list', {})).staff;
  }

  async quickReplies(): Promise<QuickReply[]> {
    return (await this.channel.request('quick_replies.list', {})).quick_replies;
  }

  async putQuickReply(reply: { id?: string | undefined; title: string; text: string }): Promise<QuickReply> {
    return (
      await this.channel.request('quick_replies.put', {
        title: reply.title,
        text: reply.text,
        ...(reply.id ? { id: reply.id } : {}),
      })
    ).quick_reply;
  }

  async deleteQuickReply(id: string): Promise<void> {
    await this.channel.request('quick_replies.delete', { id });
  }

  search(query: string, limit: number): SearchHit[] {
    return searchMessages(this.store, query, limit);
  }

  /** What both image transfers need: this account's server, credentials and proxy-aware agent. */
  private mediaAccess(): MediaAccess {
    const { ports } = this.d;
    return {
      serverUrl: this.session.server_url,
      deviceId: this.d.deviceId,
      token: () => this.session.token,
      connected: () => this.channel.connection() !== null,
      refreshToken: () => this.refreshToken(),
      agent: async () => ports.agents?.agentFor(this.session.server_url),
    };
  }

  /** Upload an image to this account's server; the answer is the content for `send`. */
  uploadImage(args: ImageUploadArgs): Promise<UploadedImage> {
    return uploadImage(this.uploadHost(), args);
  }

  /**
   * `message.sendImage`: the image waits in the outbox like text — shown at once from the local
   * cache, uploaded and sent in its turn when connected, kept across restarts until the server has it.
   */
  async sendImage(lineId: string, args: ImageUploadArgs): Promise<LocalMessage> {
    const bytes = decodeImage(args.data_base64, this.d.config.media.maxBytes);
    const local = localMediaPath(bytes, args.mime);
    await this.images.keep(local.name, bytes).catch(() => undefined);
    const content = { type: 'image' as const, url: local.url, mime: args.mime, width: args.width, height: args.height };
    return this.send(lineId, content, { mime: args.mime, bytes });
  }

  private uploadHost(): ImageUploadHost {
    const { config } = this.d;
    return {
      ...this.mediaAccess(),
      cache: this.images,
      maxBytes: config.media.maxBytes,
      timeoutMs: config.media.uploadTimeoutMs,
    };
  }

  /** An image a message names, from the local cache or else this account's server (`media.get`). */
  fetchImage(url: string, variant?: 'thumb'): Promise<FetchedImage> {
    const { config } = this.d;
    return fetchImage(
      {
        ...this.mediaAccess(),
        cache: this.images,
        maxBytes: config.media.maxBytes,
        timeoutMs: config.media.downloadTimeoutMs,
      },
      url,
      variant,
    );
  }

  // ---- internals ------------------------------------------------------------------------------------

  /**
   * Over HTTP: the way back after TOKEN_EXPIRED (the server closes a socket whose token expired, so
   * there is no connection to ask). The channel and an upload can meet the expiry together: one refresh serves both.
   */
  private refreshToken(): Promise<void> {
    this.refreshing ??= (async () => {
      const agent = await this.d.ports.agents?.agentFor(this.session.server_url);
      this.adoptToken(
        await refresh(this.session.server_url, { token: this.session.token, deviceId: this.d.deviceId, agent }),
      );
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private adoptToken(issued: { token: string; expires_at: number }): void {
    this.session = { ...this.session, token: issued.token, expires_at: issued.expires_at };
    this.d.saveSession(this.session);
    this.scheduleRefresh();
  }

  /**
   * Refresh ahead of expiry, so a long-running app never meets TOKEN_EXPIRED in the normal case:
   * in-band on the live connection (the server extends that socket's session too), else over HTTP.
   */
  private scheduleRefresh(): void {
    const { clock } = this.d.ports;
    clock.clearTimeout(this.refreshTimer);
    const left = this.session.expires_at - clock.now();
    this.refreshTimer = clock.setTimeout(
      () => {
        const refreshed = this.channel.connection()
          ? this.channel.request('token.refresh', {}).then((issued) => this.adoptToken(issued))
          : this.refreshToken();
        refreshed.catch((err: unknown) =>
          this.d.ports.log.warn({ err: toErrorShape(err) }, 'token refresh failed; retrying on reconnect'),
        );
      },
      Math.max(0, left * REFRESH_AT),
    );
  }

  /** Lines the inbox has not brought (e.g. assigned before this device's epoch). */
  private refreshLines(): void {
    this.channel
      .request('lines.list', { limit: LINES_ON_CONNECT })
      .then((r) => this.publish(this.store.addMissingLines(r.lines, r.unread)))
      .catch((err: unknown) => this.d.ports.log.warn({ err: toErrorShape(err) }, 'lines.list failed'));
  }

  /** Opening a line in the foreground reads it and withdraws its notification. */
  private readOpenLine(): void {
    const lineId = this.d.needs.openLineId();
    if (lineId === null || !isForeground(this.d.ports.window.get())) return;
    try {
      if ((this.store.line(lineId)?.unread ?? 0) > 0) this.markRead(lineId);
      else this.push.clear(lineId);
    } catch (err) {
      this.storeFailed(err);
    }
  }

  /** A line snapshot from a reply (transfer, status): stored now; the inbox brings the same event later. */
  private adopt(line: Line): LineView {
    this.publish(this.store.putLine(line));
    return this.requireLine(line.line_id);
  }

  private requireLine(lineId: string): LineView {
    const view = this.store.line(lineId);
    if (!view) throw new ClientError('NOT_FOUND', `no line ${lineId}`);
    return view;
  }

  /** After a commit: tell the bus, raise notifications, read the open line. */
  private publish(changes: StoreChanges): void {
    const openLine = this.d.needs.openLineId();
    for (const m of changes.newMessages) {
      this.publishMessage('message.new', m);
      if (m.sender !== this.session.user.uid) this.push.onMessage(m);
    }
    for (const m of changes.updatedMessages) this.publishMessage('message.updated', m);
    if (openLine !== null && changes.unread.has(openLine)) this.readOpenLine();
    for (const lineId of changes.lines) this.publishLine(lineId);
    if (changes.unread.size > 0) {
      const total = this.store.totalUnread();
      for (const lineId of changes.unread) this.publishUnread(lineId, total);
    }
    if (changes.updatedMessages.length > 0)
      this.d.bus.publish('outbox.changed', { pending: this.store.outbox().length });
  }

  private publishMessage(topic: 'message.new' | 'message.updated', m: LocalMessage): void {
    this.d.bus.publish(topic, m);
  }

  private publishLine(lineId: string): void {
    const view = this.store.line(lineId);
    if (view) this.d.bus.publish('line.updated', view);
  }

  private publishUnread(lineId: string, total = this.store.totalUnread()): void {
    const unread = this.store.unreadOf(lineId);
    if (unread !== null) this.d.bus.publish('unread.changed', { line_id: lineId, unread, total });
  }

  private storeFailed(err: unknown): void {
    const error = toErrorShape(err);
    this.d.onError(error.code, error.message);
    this.d.ports.log.error({ err: error }, 'local store failed; stopping the channel');
    this.channel.stop();
    this.d.onChannelState({
      status: 'stopped',
      transport: null,
      retry_at: null,
      last_error: error,
      since: this.d.ports.clock.now(),
    });
  }
}
