import {
  PROTOCOL_VERSION,
  PollResult,
  PUSHES,
  REQUESTS,
  ServerEnvelope,
  type ErrorCode,
  type RequestBody,
  type RequestResult,
  type RequestType,
} from '../../src-shared/protocol';
import type { IpcErrorShape } from '../../src-shared/ipc';
import { ClientError, errorShape } from '../core/errors';
import type { ConnectParams, Connection } from './connection';
import { httpJson } from './http';
import { ConnectError } from './ws-connection';

/**
 * The HTTP long-poll transport: GET /v1/poll carries the cursor and answers with an inbox page
 * (held up to `pollWaitMs` when there is nothing new); requests go through POST /v1/rpc.
 * Stateless on the server, so nothing is lost when switching to or from WebSocket: every poll
 * starts from the durable cursor. A poll that outlives its wait by `pollGraceMs` counts as dead.
 */
export class PollConnection implements Connection {
  readonly transport = 'poll' as const;
  openedAt = 0;
  private ended = false;
  private abortPoll: (() => void) | null = null;
  private nextId = 1;
  private focused: boolean;

  private constructor(private readonly p: ConnectParams) {
    this.focused = p.focused;
  }

  /** Resolves after the first poll (asked not to wait) answers: that proves the path and brings the first page. */
  static async open(p: ConnectParams): Promise<PollConnection> {
    const conn = new PollConnection(p);
    const first = await conn.pollOnce(0);
    if (!first.ok) throw new ConnectError(first.error);
    conn.openedAt = p.clock.now();
    // Hand the first page over, then keep polling: the loop runs until close() or a failure.
    conn.loop(first.page).catch((err: unknown) => {
      if (conn.ended) return;
      conn.ended = true;
      p.events.onClosed(
        errorShape('INTERNAL', `long-poll loop failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
    return conn;
  }

  request<T extends RequestType>(
    type: T,
    body: RequestBody<T>,
    timeoutMs = this.p.requestTimeoutMs,
  ): Promise<RequestResult<T>> {
    if (this.ended) return Promise.reject(new ClientError('OFFLINE', 'not connected'));
    if (type === 'presence') this.focused = (body as RequestBody<'presence'>).focused;
    const id = `h${this.nextId++}`;
    const { result } = httpJson({
      method: 'POST',
      url: new URL('/v1/rpc', this.p.serverUrl).toString(),
      headers: this.headers(),
      body: JSON.stringify({ v: PROTOCOL_VERSION, id, type, body }),
      timeoutMs,
      agent: this.p.agent,
    });
    return result.then((r) => {
      if (!r.ok) throw new ClientError(r.error.code as ErrorCode, r.error.message, r.error.retry_after_ms);
      const envelopes = Array.isArray(r.json) ? r.json : [r.json];
      for (const item of envelopes) {
        const env = ServerEnvelope.safeParse(item);
        if (!env.success || env.data.type === 'push') continue;
        if (env.data.type === 'error' && (env.data.re === id || env.data.re === null))
          throw ClientError.fromWire(env.data.error);
        if (env.data.type === 'reply' && env.data.re === id) {
          const parsed = REQUESTS[type].result.safeParse(env.data.body);
          if (!parsed.success)
            throw new ClientError('INTERNAL', `the server's ${type} reply does not match the protocol`);
          return parsed.data as RequestResult<T>;
        }
      }
      throw new ClientError('INTERNAL', `HTTP ${r.status}: no answer to ${type}`);
    });
  }

  /** A long-poll is its own heartbeat: a held request that outlives its deadline fails the connection. */
  checkAlive(): void {}

  close(): void {
    this.ended = true;
    this.abortPoll?.();
  }

  private async loop(first: PollResult): Promise<void> {
    let page = first;
    for (;;) {
      if (this.ended) return;
      if (!(await this.deliver(page))) return;
      if (this.ended) return;
      const next = await this.pollOnce(page.more ? 0 : this.p.transport.pollWaitMs);
      if (this.ended) return;
      if (!next.ok) {
        this.ended = true;
        this.p.events.onClosed(next.error);
        return;
      }
      page = next.page;
    }
  }

  /** Apply a page and its pushes; false when a drain push ended the connection. */
  private async deliver(page: PollResult): Promise<boolean> {
    await this.p.events.onPollPage(page);
    for (const env of page.pushes) {
      if (env.type !== 'push') continue;
      if (env.topic === 'typing') {
        const b = PUSHES.typing.safeParse(env.body);
        if (b.success) this.p.events.onTyping(b.data);
      } else if (env.topic === 'presence') {
        const b = PUSHES.presence.safeParse(env.body);
        if (b.success) this.p.events.onPresence(b.data);
      } else if (env.topic === 'drain') {
        const b = PUSHES.drain.safeParse(env.body);
        if (b.success && !this.ended) {
          this.ended = true;
          this.p.events.onClosed(errorShape('SERVER_DRAINING', b.data.reason, b.data.retry_after_ms));
          return false;
        }
      }
    }
    return true;
  }

  private async pollOnce(
    waitMs: number,
  ): Promise<{ ok: true; page: PollResult } | { ok: false; error: IpcErrorShape }> {
    const cursor = this.p.cursor();
    const url = new URL('/v1/poll', this.p.serverUrl);
    if (cursor) {
      url.searchParams.set('epoch', cursor.epoch);
      url.searchParams.set('seq', String(cursor.seq));
    }
    url.searchParams.set('wait_ms', String(waitMs));
    url.searchParams.set('focused', this.focused ? '1' : '0');
    const { result, abort } = httpJson({
      method: 'GET',
      url: url.toString(),
      headers: this.headers(),
      timeoutMs: waitMs + this.p.transport.pollGraceMs,
      agent: this.p.agent,
    });
    this.abortPoll = abort;
    const r = await result;
    this.abortPoll = null;
    if (!r.ok) return r;
    if (r.status !== 200) return { ok: false, error: httpError(r.json, r.status) };
    const page = PollResult.safeParse(r.json);
    if (!page.success)
      return { ok: false, error: errorShape('INTERNAL', 'the poll answer does not match the protocol') };
    return { ok: true, page: page.data };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.p.token}`, 'x-device-id': this.p.deviceId };
  }
}

/** `{error}` bodies of plain HTTP endpoints, or a one-envelope array from /v1/rpc. */
export function httpError(json: unknown, status: number): IpcErrorShape {
  const candidate = Array.isArray(json)
    ? (json[0] as { error?: unknown } | undefined)?.error
    : (json as { error?: unknown } | null)?.error;
  const parsed = ServerEnvelope.options[1].shape.error.safeParse(candidate);
  if (parsed.success) return ClientError.fromWire(parsed.data).toShape();
  return errorShape(status >= 500 ? 'INTERNAL' : 'NETWORK', `HTTP ${status}`);
}
