import WebSocket from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  PUSHES,
  REQUESTS,
  ServerEnvelope,
  type ErrorCode,
  type RequestBody,
  type RequestResult,
  type RequestType,
} from '../../src-shared/protocol';
import { ClientError, errorShape } from '../core/errors';
import type { TimerHandle } from '../ports/clock';
import type { ConnectParams, Connection } from './connection';
import type { ConnectFailure } from './reconnect-policy';

interface Pending {
  type: RequestType;
  resolve: (body: unknown) => void;
  reject: (err: ClientError) => void;
  timer: TimerHandle;
}

const CLOSE_TO_CODE: Record<number, ErrorCode> = {
  [CLOSE_CODES.UNAUTHENTICATED.code]: 'UNAUTHENTICATED',
  [CLOSE_CODES.TOKEN_EXPIRED.code]: 'TOKEN_EXPIRED',
  [CLOSE_CODES.ACCOUNT_DISABLED.code]: 'ACCOUNT_DISABLED',
  [CLOSE_CODES.PROTOCOL_VERSION.code]: 'PROTOCOL_VERSION',
  [CLOSE_CODES.GOING_AWAY.code]: 'SERVER_DRAINING',
};

export function wsUrl(serverUrl: string): string {
  const url = new URL('/v1/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * The WebSocket transport. `open` resolves once the socket has proved itself — hello answered by
 * the welcome within `wsProveMs` — and rejects with the failure otherwise. Afterwards: requests by
 * id, inbox and ephemeral pushes, and an app-level heartbeat with timestamp deadlines (a silent
 * socket is pinged after `intervalMs` and given up `timeoutMs` later).
 */
export class WsConnection implements Connection {
  readonly transport = 'ws' as const;
  openedAt = 0;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private lastHeardAt: number;
  private pingSentAt: number | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private drainHintMs: number | null = null;
  private ended = false;
  private welcomed = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly p: ConnectParams,
  ) {
    this.lastHeardAt = p.clock.now();
  }

  static open(p: ConnectParams): Promise<{ connection: WsConnection; welcome: RequestResult<'hello'> }> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(wsUrl(p.serverUrl), {
          agent: p.agent,
          perMessageDeflate: false,
          handshakeTimeout: p.transport.wsProveMs,
        });
      } catch (err) {
        reject(failureError(errorShape('NETWORK', err instanceof Error ? err.message : String(err))));
        return;
      }
      const conn = new WsConnection(ws, p);
      const proveTimer = p.clock.setTimeout(() => {
        fail(errorShape('TIMEOUT', `WebSocket did not prove itself within ${p.transport.wsProveMs} ms`));
      }, p.transport.wsProveMs);
      const fail = (failure: ConnectFailure): void => {
        if (conn.welcomed || conn.ended) return;
        p.clock.clearTimeout(proveTimer);
        conn.end();
        ws.terminate();
        reject(failureError(failure));
      };
      conn.onEarlyFailure = fail;
      ws.on('open', () => {
        const body: RequestBody<'hello'> = {
          protocol: PROTOCOL_VERSION,
          token: p.token,
          device_id: p.deviceId,
          focused: p.focused,
          ...(p.need ? { need: p.need } : {}),
        };
        conn
          .request('hello', body, p.transport.wsProveMs)
          .then((welcome) => {
            if (conn.ended) return;
            p.clock.clearTimeout(proveTimer);
            conn.welcomed = true;
            conn.openedAt = p.clock.now();
            conn.armHeartbeat();
            resolve({ connection: conn, welcome });
          })
          .catch((err: unknown) =>
            fail(err instanceof ClientError ? err.toShape() : errorShape('NETWORK', String(err))),
          );
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => conn.onFrame(data, isBinary));
      ws.on('close', (code: number, reason: Buffer) => conn.onSocketClose(code, reason.toString()));
      ws.on('error', (err: Error) => fail(errorShape('NETWORK', err.message)));
      ws.on('unexpected-response', (_req, res) =>
        fail(
          errorShape(
            res.statusCode === 503 ? 'SERVER_DRAINING' : 'NETWORK',
            `WebSocket upgrade refused: HTTP ${res.statusCode ?? 0}`,
          ),
        ),
      );
    });
  }

  private onEarlyFailure: (failure: ConnectFailure) => void = () => {};

  request<T extends RequestType>(
    type: T,
    body: RequestBody<T>,
    timeoutMs = this.p.requestTimeoutMs,
  ): Promise<RequestResult<T>> {
    if (this.ended || this.ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new ClientError('OFFLINE', 'not connected'));
    const id = `${type === 'hello' ? 'hello' : 'r'}${this.nextId++}`;
    return new Promise<RequestResult<T>>((resolve, reject) => {
      const timer = this.p.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new ClientError('TIMEOUT', `${type} got no answer within ${timeoutMs} ms`));
        this.checkAlive();
      }, timeoutMs);
      this.pending.set(id, { type, resolve: resolve as (b: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id, type, body }));
    });
  }

  checkAlive(): void {
    if (this.ended || !this.welcomed || this.pingSentAt !== null) return;
    this.sendPing();
  }

  close(): void {
    if (this.ended) return;
    this.end();
    this.ws.close(CLOSE_CODES.NORMAL.code, 'client closing');
    // A peer that never completes the close handshake must not keep the socket alive.
    const ws = this.ws;
    setTimeout(() => ws.terminate(), 1_000).unref();
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    this.lastHeardAt = this.p.clock.now();
    this.pingSentAt = null;
    if (isBinary) return;
    let json: unknown;
    try {
      json = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    for (const item of Array.isArray(json) ? json : [json]) {
      const env = ServerEnvelope.safeParse(item);
      if (env.success) this.onEnvelope(env.data);
    }
    if (this.welcomed) this.armHeartbeat();
  }

  private onEnvelope(env: ServerEnvelope): void {
    if (env.type === 'push') {
      this.onPush(env.topic, env.body);
      return;
    }
    const re = env.re;
    const pending = re === null ? undefined : this.pending.get(re);
    if (!pending) return;
    this.pending.delete(re!);
    this.p.clock.clearTimeout(pending.timer);
    if (env.type === 'error') {
      pending.reject(ClientError.fromWire(env.error));
      return;
    }
    const parsed = REQUESTS[pending.type].result.safeParse(env.body);
    if (parsed.success) pending.resolve(parsed.data);
    else pending.reject(new ClientError('INTERNAL', `the server's ${pending.type} reply does not match the protocol`));
  }

  private onPush(topic: keyof typeof PUSHES, body: unknown): void {
    const events = this.p.events;
    switch (topic) {
      case 'inbox': {
        const parsed = PUSHES.inbox.safeParse(body);
        if (parsed.success) events.onInboxPush(parsed.data);
        return;
      }
      case 'typing': {
        const parsed = PUSHES.typing.safeParse(body);
        if (parsed.success) events.onTyping(parsed.data);
        return;
      }
      case 'presence': {
        const parsed = PUSHES.presence.safeParse(body);
        if (parsed.success) events.onPresence(parsed.data);
        return;
      }
      case 'drain': {
        const parsed = PUSHES.drain.safeParse(body);
        if (parsed.success) this.drainHintMs = parsed.data.retry_after_ms;
        return;
      }
    }
  }

  private armHeartbeat(): void {
    this.p.clock.clearTimeout(this.heartbeatTimer);
    const { intervalMs, timeoutMs } = this.p.heartbeat;
    const deadline = this.pingSentAt === null ? this.lastHeardAt + intervalMs : this.pingSentAt + timeoutMs;
    this.heartbeatTimer = this.p.clock.setTimeout(() => this.onHeartbeatTimer(), deadline - this.p.clock.now());
  }

  /** Deadlines are timestamps, so a timer that fires late (sleep) still judges by real elapsed time. */
  private onHeartbeatTimer(): void {
    if (this.ended) return;
    const now = this.p.clock.now();
    const { intervalMs, timeoutMs } = this.p.heartbeat;
    if (this.pingSentAt !== null && now - this.pingSentAt >= timeoutMs) {
      this.die({ ...errorShape('TIMEOUT', `no answer to a heartbeat within ${timeoutMs} ms`), close_code: null });
      return;
    }
    if (this.pingSentAt === null && now - this.lastHeardAt >= intervalMs) {
      this.sendPing();
      return;
    }
    this.armHeartbeat();
  }

  private sendPing(): void {
    this.pingSentAt = this.p.clock.now();
    this.armHeartbeat();
    // The answer (or any other frame) clears pingSentAt; the heartbeat timer judges the deadline.
    this.request('ping', { t: this.pingSentAt }, this.p.heartbeat.timeoutMs + 1_000).catch(() => {});
  }

  private onSocketClose(code: number, reason: string): void {
    if (!this.welcomed) {
      this.onEarlyFailure({
        ...errorShape(CLOSE_TO_CODE[code] ?? 'NETWORK', `WebSocket closed before welcome: ${code} ${reason}`),
        close_code: code,
      });
      return;
    }
    const errorCode = CLOSE_TO_CODE[code] ?? 'NETWORK';
    this.die({
      ...errorShape(errorCode, `WebSocket closed: ${code}${reason ? ` ${reason}` : ''}`, this.drainHintMs),
      close_code: code,
    });
  }

  private die(failure: ConnectFailure): void {
    if (this.ended) return;
    this.end();
    this.ws.terminate();
    this.p.events.onClosed(failure);
  }

  private end(): void {
    this.ended = true;
    this.p.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    for (const [id, pending] of this.pending) {
      this.p.clock.clearTimeout(pending.timer);
      pending.reject(new ClientError('NETWORK', 'the connection closed before the answer'));
      this.pending.delete(id);
    }
  }
}

/** A connect failure travels as a ClientError carrying the failure shape (and close code). */
export class ConnectError extends ClientError {
  constructor(readonly failure: ConnectFailure) {
    super(ClientError.fromWire(failure).code, failure.message, failure.retry_after_ms);
    this.name = 'ConnectError';
  }
}

function failureError(failure: ConnectFailure): ConnectError {
  return new ConnectError(failure);
}
