import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  errorReply,
  parseRequestBody,
  push,
  reply,
  wireError,
  type ClientEnvelope,
  type CloseName,
  type RequestResult,
  type ServerEnvelope,
  type WireError,
} from '../../src-shared/protocol';
import type { HubSignal } from '../hub/types';
import { authenticate } from '../im/authenticate';
import { dispatchFrame, runRequest } from '../im/dispatch';
import { toWireError } from '../im/errors';
import type { ImContext, RequestHandlers, Session } from '../im/handlers';
import { TokenBucket } from '../im/rate-limit';
import { wantsLineEphemeral } from '../im/scope';
import type { Channel } from '../presence/types';

/** Close a socket that does not finish its close handshake (a dead or non-reading peer) after this. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One WebSocket client: hello, serial request processing, live inbox pushes, heartbeats, limits.
 * Owns every timer and subscription it creates and releases them all in `cleanup`.
 */
export class WsConnection {
  private session: Session | null = null;
  private channel: Channel | null = null;
  private readonly bucket: TokenBucket;
  /** Frames are processed one after another so a client's sends commit in the order it sent them. */
  private inbound: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  /** Highest inbox seq already pushed on this socket, and its epoch (null until hello completes). */
  private pushedSeq: number | null = null;
  private epoch = '';
  private pumping = false;
  private pumpAgain = false;
  private helloTimer: NodeJS.Timeout | null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Frames written in one tick (a reply and the pushes of the same commit) leave in one write. */
  private corked = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    /** The socket under `ws`, corked per tick. */
    private readonly socket: Duplex,
    private readonly ctx: ImContext,
    private readonly handlers: RequestHandlers,
    private readonly onClosed: (conn: WsConnection) => void,
  ) {
    const { config } = ctx;
    this.bucket = new TokenBucket(config.ratePerSecond, config.rateBurst, ctx.now());
    this.helloTimer = setTimeout(() => this.close('HELLO_TIMEOUT', 'no hello in time'), config.helloTimeoutMs);
    this.pingTimer = setInterval(() => this.heartbeat(), config.heartbeatIntervalMs);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.inbound = this.inbound.then(() => this.onFrame(buf, isBinary));
    });
    ws.on('pong', () => this.onPong());
    ws.on('close', () => this.cleanup());
    ws.on('error', (err) => ctx.logger.debug({ err, conn: id }, 'socket error'));
  }

  /** False once closing has begun (the socket may still be finishing its close handshake). */
  get open(): boolean {
    return !this.closed;
  }

  get uid(): string | null {
    return this.session?.account.uid ?? null;
  }

  /** Graceful shutdown: tell the client when to come back, then close with 1001. */
  drain(retryAfterMs: number): void {
    this.send(push('drain', { retry_after_ms: retryAfterMs, reason: 'server shutting down' }));
    this.close('GOING_AWAY', 'server draining');
  }

  /** Abrupt end, as if the process died. */
  terminate(): void {
    this.ws.terminate();
  }

  private async onFrame(buf: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    try {
      if (isBinary) {
        this.send(errorReply(null, wireError('BAD_PACKET', 'frames are UTF-8 JSON text')));
        return;
      }
      const { batch, replies } = await dispatchFrame(
        buf.toString('utf8'),
        buf.length,
        this.ctx.config,
        this.bucket,
        this.ctx.now,
        (env) => this.route(env),
      );
      if (replies.length > 0) this.send(batch ? replies : replies.length === 1 ? replies[0]! : replies);
      if (this.bucket.rejectedInARow > this.ctx.config.rateAbuseLimit)
        this.close('RATE_LIMITED_HARD', 'sustained rate-limit abuse');
    } catch (err) {
      this.send(errorReply(null, toWireError(err, this.ctx.logger)));
    }
  }

  private async route(envelope: ClientEnvelope): Promise<ServerEnvelope | null> {
    if (envelope.type === 'hello') return this.hello(envelope);
    if (!this.session) return errorReply(envelope.id ?? null, wireError('NOT_READY', 'send hello first'));
    if (this.ctx.now() >= this.session.token_expires_at) {
      this.close('TOKEN_EXPIRED', 'token expired');
      return errorReply(envelope.id ?? null, wireError('TOKEN_EXPIRED', 'token expired; refresh it and reconnect'));
    }
    return runRequest(this.handlers, this.session, envelope, this.ctx.config, this.ctx.logger);
  }

  /** Answers itself (welcome must precede the first inbox push), so it returns null. */
  private async hello(envelope: ClientEnvelope): Promise<ServerEnvelope | null> {
    const re = envelope.id ?? 'hello';
    if (this.session) return errorReply(re, wireError('INVALID_ARGUMENT', 'hello was already sent'));
    const parsed = parseRequestBody('hello', envelope.body);
    if (!parsed.ok) return errorReply(re, parsed.error);
    const body = parsed.body;
    if (body.protocol !== PROTOCOL_VERSION)
      return this.refuse(
        re,
        wireError('PROTOCOL_VERSION', `this server speaks protocol ${PROTOCOL_VERSION}`),
        'PROTOCOL_VERSION',
      );
    const auth = await authenticate(this.ctx, body.token);
    if (!auth.ok)
      return this.refuse(
        re,
        auth.error,
        auth.error.code === 'TOKEN_EXPIRED'
          ? 'TOKEN_EXPIRED'
          : auth.error.code === 'ACCOUNT_DISABLED'
            ? 'ACCOUNT_DISABLED'
            : 'UNAUTHENTICATED',
      );
    if (this.closed) return errorReply(re, wireError('NOT_READY', 'connection closed'));

    const { account } = auth;
    const { config, store, presence } = this.ctx;
    this.session = {
      account,
      device_id: body.device_id,
      transport: 'ws',
      token_expires_at: auth.expires_at,
      need: body.need ?? null,
    };
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    // Subscribe before reading the head, so no commit between the two goes unnoticed.
    this.unsubscribe = this.ctx.hub.subscribe(account.uid, (signal) => this.onSignal(signal));
    const channel: Channel = {
      channel_id: this.id,
      uid: account.uid,
      role: account.role,
      merchant_id: account.merchant_id,
      device_id: body.device_id,
      transport: 'ws',
    };
    this.channel = channel;
    const head = await store.inboxHead(account.uid);
    await presence.updateDevice(account.uid, body.device_id, {
      focused: body.focused,
      ...(body.need ? { need: body.need } : {}),
    });
    const becameOnline = await presence.upsert(channel, this.leaseMs());
    if (this.closed) {
      // The socket went away while we were setting up: do not leave a lease behind.
      await presence.remove(channel.channel_id);
      return null;
    }
    const welcome = reply(re, {
      user: {
        uid: account.uid,
        role: account.role,
        display_name: account.display_name,
        merchant_id: account.merchant_id,
      },
      server_time: this.ctx.now(),
      epoch: head.epoch,
      heartbeat_ms: config.heartbeatIntervalMs,
      token_expires_at: auth.expires_at,
      limits: { max_packet_bytes: config.maxPacketBytes, max_text_length: config.maxTextLength },
    } satisfies RequestResult<'hello'>);
    this.send(welcome);
    // From here on every committed event after the head is pushed live; the client syncs from its own cursor.
    this.epoch = head.epoch;
    this.pushedSeq = head.seq;
    void this.pump();
    await this.handlers.channelOpened(account, becameOnline, body.focused);
    return null;
  }

  private refuse(re: string, error: WireError, close: CloseName): null {
    this.send(errorReply(re, error));
    this.close(close, error.message);
    return null;
  }

  private onSignal(signal: HubSignal): void {
    if (signal.kind === 'inbox') {
      if (this.pushedSeq === null || signal.seq <= this.pushedSeq) return;
      // The very next event, handed over by the commit that wrote it: push it as stored, no read-back.
      if (signal.event !== undefined && signal.seq === this.pushedSeq + 1 && !this.pumping) {
        this.pushedSeq = signal.seq;
        this.sendText(
          `{"v":${PROTOCOL_VERSION},"type":"push","topic":"inbox","body":{"epoch":${JSON.stringify(this.epoch)},"events":[${signal.event}]}}`,
        );
        return;
      }
      void this.pump();
      return;
    }
    const { envelope, line_id } = signal.push;
    if (
      line_id !== undefined &&
      this.session &&
      !wantsLineEphemeral(this.session.account.role, this.session.need, line_id)
    )
      return;
    this.send(envelope);
  }

  /** Push every committed inbox event after `pushedSeq`, in order, one read at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const uid = this.uid;
        if (uid === null || this.pushedSeq === null || this.closed) return;
        const page = await this.ctx.store.sync(
          uid,
          { epoch: this.epoch, seq: this.pushedSeq },
          this.ctx.config.maxSyncPage,
        );
        // A reset means the inbox history was replaced under us: push the new epoch from its start.
        this.epoch = page.epoch;
        if (page.events.length > 0) {
          this.pushedSeq = page.next.seq;
          this.send(push('inbox', { epoch: page.epoch, events: page.events }));
        }
        if (page.more) this.pumpAgain = true;
      } while (this.pumpAgain && !this.closed);
    } catch (err) {
      this.ctx.logger.warn({ err, conn: this.id }, 'inbox push failed; the client catches up on its next sync');
    } finally {
      this.pumping = false;
    }
  }

  private heartbeat(): void {
    if (this.closed || this.pongTimer) return;
    if (this.session && this.ctx.now() >= this.session.token_expires_at) {
      this.close('TOKEN_EXPIRED', 'token expired');
      return;
    }
    this.pongTimer = setTimeout(() => this.close('HEARTBEAT_TIMEOUT', 'no pong'), this.ctx.config.heartbeatTimeoutMs);
    this.ws.ping();
  }

  private onPong(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
    if (this.channel) {
      this.ctx.presence
        .upsert(this.channel, this.leaseMs())
        .catch((err: unknown) => this.ctx.logger.warn({ err }, 'presence refresh failed'));
    }
  }

  private leaseMs(): number {
    return this.ctx.config.heartbeatIntervalMs + this.ctx.config.heartbeatTimeoutMs + 5_000;
  }

  private send(frame: ServerEnvelope | ServerEnvelope[]): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.ws.send(text);
    if (this.ws.bufferedAmount > this.ctx.config.maxOutboundQueueBytes)
      this.close('SLOW_CONSUMER', 'outbound queue overflow');
  }

  /** Close with one of our codes; a peer that does not complete the handshake is cut after a grace period. */
  private close(name: CloseName, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const { code } = CLOSE_CODES[name];
    this.ctx.logger.debug({ conn: this.id, uid: this.uid, code, reason }, 'closing websocket');
    this.ws.close(code, reason);
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
  }

  private cleanup(): void {
    this.closed = true;
    for (const timer of [this.helloTimer, this.pongTimer, this.killTimer]) if (timer) clearTimeout(timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.helloTimer = this.pongTimer = this.killTimer = this.pingTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const { session, channel } = this;
    this.onClosed(this);
    if (!session || !channel) return;
    this.ctx.presence
      .remove(channel.channel_id)
      .then(() => this.handlers.channelClosed(session.account))
      .catch((err: unknown) => this.ctx.logger.warn({ err }, 'presence cleanup failed'));
  }
}
