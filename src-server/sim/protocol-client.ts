import WebSocket from 'ws';
import {
  LoginResult,
  PROTOCOL_VERSION,
  type Cursor,
  type InboxEvent,
  type Need,
  type PollResult,
  type RequestBody,
  type RequestResult,
  type RequestType,
  type ServerEnvelope,
  type WireError,
} from '../../src-shared/protocol';

/**
 * A small Node client of the wire protocol over both transports. Used by `--simulate`, the
 * benchmark and the test suites (tests/support/protocol-client.ts re-exports it). It follows the
 * rules of docs/protocol.md and nothing more; the product's client lives in src-main.
 */

export class RequestError extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
    this.name = 'RequestError';
  }
}

export async function signIn(
  baseUrl: string,
  account: string,
  password: string,
  deviceId: string,
): Promise<LoginResult> {
  const res = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account, password, device_id: deviceId }),
  });
  const json = (await jsonOf(res)) as { error?: WireError };
  if (!res.ok)
    throw new RequestError(
      json.error ?? { code: 'INTERNAL', message: `HTTP ${res.status}`, temporary: true, retry_after_ms: null },
    );
  return LoginResult.parse(json);
}

/** What both transports offer: request/reply plus a stream of server pushes. */
export interface ProtocolClient {
  readonly transport: 'ws' | 'poll';
  request<T extends RequestType>(type: T, body: RequestBody<T>): Promise<RequestResult<T>>;
  close(): Promise<void>;
}

export interface WsConnectOptions {
  token: string;
  device_id: string;
  focused?: boolean;
  need?: Need;
  /** false: never answer pings (heartbeat tests). */
  autoPong?: boolean;
  protocol?: number;
}

export class WsClient implements ProtocolClient {
  readonly transport = 'ws' as const;
  /** Every envelope received, in order. */
  readonly received: ServerEnvelope[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  welcome: RequestResult<'hello'> | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (body: unknown) => void; reject: (err: Error) => void }>();
  private readonly pushListeners = new Set<(env: ServerEnvelope) => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        for (const p of this.pending.values())
          p.reject(
            new RequestError({
              code: 'INTERNAL',
              message: `socket closed ${code}`,
              temporary: true,
              retry_after_ms: null,
            }),
          );
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('message', (data: Buffer) => {
      const json = JSON.parse(data.toString()) as ServerEnvelope | ServerEnvelope[];
      for (const env of Array.isArray(json) ? json : [json]) this.onEnvelope(env);
    });
    ws.on('error', () => undefined);
  }

  /** Open the socket without saying hello (for protocol-edge tests). */
  static open(baseUrl: string, options: { autoPong?: boolean } = {}): Promise<WsClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`, {
      autoPong: options.autoPong ?? true,
      perMessageDeflate: false,
    });
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  static async connect(baseUrl: string, options: WsConnectOptions): Promise<WsClient> {
    const client = await WsClient.open(baseUrl, { autoPong: options.autoPong });
    try {
      client.welcome = await client.request('hello', {
        protocol: options.protocol ?? PROTOCOL_VERSION,
        token: options.token,
        device_id: options.device_id,
        focused: options.focused ?? true,
        ...(options.need ? { need: options.need } : {}),
      });
    } catch (err) {
      client.ws.terminate();
      throw err;
    }
    return client;
  }

  request<T extends RequestType>(type: T, body: RequestBody<T>): Promise<RequestResult<T>> {
    const id = `r${this.nextId++}`;
    return new Promise<RequestResult<T>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (b: unknown) => void, reject });
      this.sendRaw(JSON.stringify({ v: PROTOCOL_VERSION, id, type, body }));
    });
  }

  /** Send bytes as they are (malformed-input tests). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  onPush(listener: (env: ServerEnvelope) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  /** Resolve with the first received envelope (past or future) matching `predicate`. */
  waitFor(predicate: (env: ServerEnvelope) => boolean, timeoutMs = 5_000): Promise<ServerEnvelope> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('waitFor timed out'));
      }, timeoutMs);
      const off = this.onAny((env) => {
        if (!predicate(env)) return;
        clearTimeout(timer);
        off();
        resolve(env);
      });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close(1000);
    return this.closed.then(() => undefined);
  }

  private readonly anyListeners = new Set<(env: ServerEnvelope) => void>();
  private onAny(listener: (env: ServerEnvelope) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  private onEnvelope(env: ServerEnvelope): void {
    this.received.push(env);
    for (const l of [...this.anyListeners]) l(env);
    if (env.type === 'push') {
      for (const l of [...this.pushListeners]) l(env);
      return;
    }
    const p = env.re === null ? undefined : this.pending.get(env.re);
    if (!p || env.re === null) return;
    this.pending.delete(env.re);
    if (env.type === 'reply') p.resolve(env.body);
    else p.reject(new RequestError(env.error as WireError));
  }
}

/** A proxy in front of the server may answer with its own HTML error page (502 when no node is up). */
async function jsonOf(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`HTTP ${res.status}: the answer is not JSON`);
  }
}

/** Request/reply over POST /v1/rpc and receive over GET /v1/poll. Holds no server-side session. */
export class HttpClient implements ProtocolClient {
  readonly transport = 'poll' as const;
  private nextId = 1;
  private readonly inflight = new Set<AbortController>();

  constructor(
    readonly baseUrl: string,
    public token: string,
    readonly deviceId: string,
  ) {}

  async request<T extends RequestType>(type: T, body: RequestBody<T>): Promise<RequestResult<T>> {
    const id = `h${this.nextId++}`;
    const replies = await this.rpc(JSON.stringify({ v: PROTOCOL_VERSION, id, type, body }));
    const answer = replies.find((r) => r.type !== 'push' && r.re === id) ?? replies[0];
    if (answer?.type === 'reply') return answer.body as RequestResult<T>;
    if (answer?.type === 'error') throw new RequestError(answer.error as WireError);
    throw new Error(`no reply to ${type}`);
  }

  /** POST a raw frame; returns the reply/error envelopes (also for whole-request failures). */
  async rpc(frame: string): Promise<ServerEnvelope[]> {
    const res = await this.fetch('/v1/rpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: frame,
    });
    return (await jsonOf(res)) as ServerEnvelope[];
  }

  /** One long-poll. Resolves with the page, or throws RequestError for a refused poll. */
  async poll(cursor: Cursor | null, waitMs: number, extra: { focused?: boolean } = {}): Promise<PollResult> {
    const q = new URLSearchParams({ wait_ms: String(waitMs) });
    if (cursor) {
      q.set('epoch', cursor.epoch);
      q.set('seq', String(cursor.seq));
    }
    if (extra.focused !== undefined) q.set('focused', extra.focused ? '1' : '0');
    const res = await this.fetch(`/v1/poll?${q.toString()}`, { method: 'GET' });
    const json = (await jsonOf(res)) as PollResult | { error: WireError };
    if ('error' in json) throw new RequestError(json.error);
    return json;
  }

  close(): Promise<void> {
    for (const c of this.inflight) c.abort();
    return Promise.resolve();
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const controller = new AbortController();
    this.inflight.add(controller);
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        ...init,
        signal: controller.signal,
        headers: {
          ...(init.headers as Record<string, string>),
          authorization: `Bearer ${this.token}`,
          'x-device-id': this.deviceId,
        },
      });
    } finally {
      this.inflight.delete(controller);
    }
  }
}

/**
 * Follows one user's inbox the way docs/protocol.md prescribes: keep a cursor, apply an event only
 * when its seq is cursor+1, ignore older ones, and `sync` when a gap shows. Over WebSocket it reads
 * live `inbox` pushes; over HTTP it runs a long-poll loop.
 */
export class InboxReader {
  cursor: Cursor | null;
  readonly events: InboxEvent[] = [];
  private readonly listeners = new Set<(e: InboxEvent) => void>();
  private readonly pushListeners = new Set<(e: ServerEnvelope) => void>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private syncing: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    readonly client: WsClient | HttpClient,
    cursor: Cursor | null = null,
  ) {
    this.cursor = cursor;
  }

  /** Catch up from the cursor, then follow live. */
  async start(): Promise<void> {
    if (this.client instanceof WsClient) {
      this.unsubscribe = this.client.onPush((env) => this.onPush(env));
      await this.catchUp();
    } else {
      const client = this.client;
      await this.catchUp();
      this.loop = this.pollLoop(client);
    }
  }

  onEvent(listener: (e: InboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ephemeral pushes (typing, presence, drain) on either transport. */
  onEphemeral(listener: (e: ServerEnvelope) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  waitFor(predicate: (e: InboxEvent) => boolean, timeoutMs = 5_000): Promise<InboxEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`InboxReader.waitFor timed out (cursor ${JSON.stringify(this.cursor)})`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  messages(): Extract<InboxEvent, { kind: 'message' }>[] {
    return this.events.filter((e): e is Extract<InboxEvent, { kind: 'message' }> => e.kind === 'message');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.client instanceof HttpClient) await this.client.close();
    await this.loop?.catch(() => undefined);
  }

  /** Page `sync` until `more` is false. */
  catchUp(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (;;) {
          const page = await this.client.request('sync', { cursor: this.cursor });
          this.applyPage(page);
          if (!page.more) return;
        }
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private applyPage(page: { outcome: 'recovered' | 'reset'; epoch: string; events: InboxEvent[]; next: Cursor }): void {
    if (page.outcome === 'reset') {
      // A reset starts at the oldest event the server kept: seq 1, or later once it trimmed the inbox.
      const first = page.events[0]?.seq ?? page.next.seq + 1;
      this.cursor = { epoch: page.epoch, seq: first - 1 };
    }
    for (const e of page.events) this.apply(page.epoch, e);
    if (!this.cursor || this.cursor.epoch !== page.epoch || page.next.seq > this.cursor.seq) this.cursor = page.next;
  }

  private apply(epoch: string, e: InboxEvent): boolean {
    const expected = this.cursor && this.cursor.epoch === epoch ? this.cursor.seq + 1 : 1;
    if (e.seq < expected) return true;
    if (e.seq > expected) return false;
    this.cursor = { epoch, seq: e.seq };
    this.events.push(e);
    for (const l of [...this.listeners]) l(e);
    return true;
  }

  private onPush(env: ServerEnvelope): void {
    if (env.type !== 'push') return;
    if (env.topic !== 'inbox') {
      for (const l of [...this.pushListeners]) l(env);
      return;
    }
    const body = env.body as { epoch: string; events: InboxEvent[] };
    for (const e of body.events) {
      if (!this.apply(body.epoch, e)) {
        void this.catchUp().catch(() => undefined);
        return;
      }
    }
  }

  private async pollLoop(client: HttpClient): Promise<void> {
    while (!this.stopped) {
      try {
        const page = await client.poll(this.cursor, 25_000);
        this.applyPage(page);
        for (const env of page.pushes) for (const l of [...this.pushListeners]) l(env);
        if (page.pushes.some((p) => p.type === 'push' && p.topic === 'drain')) return;
      } catch {
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
