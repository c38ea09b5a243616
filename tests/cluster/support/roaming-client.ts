import type { Cursor, InboxEvent, RequestBody, RequestResult, ServerEnvelope } from '../../../src-shared/protocol';
import { HttpClient, RequestError, WsClient, signIn } from '../../support/protocol-client';

export interface RoamingOptions {
  login: string;
  password: string;
  device: string;
  /** Nodes to use, in the order to try them (one URL when a load balancer is in front). */
  urls: string[];
  transport: 'ws' | 'poll';
  /** Index of the node to start on. */
  first?: number;
}

type MessageEvent = Extract<InboxEvent, { kind: 'message' }>;

const REQUEST_TIMEOUT_MS = 8_000;
const SIGN_IN_BUDGET_MS = 15_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A client that behaves like the product's: it keeps its inbox cursor, applies an event only when it
 * is cursor+1 (and syncs on a gap), and when its node goes away it moves to the next one and resumes
 * from the cursor. Sends are retried with the same random_id until acknowledged (the outbox rule).
 */
export class RoamingClient {
  cursor: Cursor | null = null;
  readonly events: InboxEvent[] = [];
  /** How many times it had to move to another node. */
  moves = 0;
  uid = '';
  private token = '';
  private index: number;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private current: WsClient | HttpClient | null = null;
  private syncing: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(readonly options: RoamingOptions) {
    this.index = options.first ?? 0;
  }

  async start(): Promise<void> {
    // A balancer that has just seen every node fail (a restart, a database outage) answers its own 502
    // for up to its fail_timeout (5 s in deploy/nginx), so sign-in keeps trying for longer than that.
    const deadline = Date.now() + SIGN_IN_BUDGET_MS;
    for (;;) {
      try {
        const login = await signIn(this.url, this.options.login, this.options.password, this.options.device);
        this.token = login.token;
        this.uid = login.user.uid;
        break;
      } catch (err) {
        if (err instanceof RequestError && !err.error.temporary) throw err;
        if (Date.now() > deadline) throw err;
        this.rotate();
        await sleep(200);
      }
    }
    this.loop = this.run();
    await this.whenConnected();
  }

  messages(): MessageEvent[] {
    return this.events.filter((e): e is MessageEvent => e.kind === 'message');
  }

  /** Send until acknowledged: the same random_id on every attempt, on whichever node is reachable. */
  async send(body: RequestBody<'send'>): Promise<RequestResult<'send'>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.request('send', body);
      } catch (err) {
        if (this.stopped) throw err;
        // Refusals a retry cannot fix end the test; everything else (node gone, database away) is retried.
        if (
          err instanceof RequestError &&
          !err.error.temporary &&
          err.error.code !== 'INTERNAL' &&
          err.error.code !== 'SERVER_DRAINING'
        )
          throw err;
        if (attempt > 200) throw err;
        await sleep(
          err instanceof RequestError && err.error.retry_after_ms ? Math.min(err.error.retry_after_ms, 300) : 100,
        );
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters) w();
    await this.current?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  private get url(): string {
    return this.options.urls[this.index % this.options.urls.length]!;
  }

  private rotate(): void {
    if (this.options.urls.length > 1) this.index++;
  }

  private whenConnected(): Promise<void> {
    if (this.current || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private connected(client: WsClient | HttpClient): void {
    this.current = client;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private async request<T extends 'send' | 'sync'>(type: T, body: RequestBody<T>): Promise<RequestResult<T>> {
    await this.whenConnected();
    const client = this.current;
    if (!client)
      throw new RequestError({ code: 'INTERNAL', message: 'stopped', temporary: false, retry_after_ms: null });
    if (client instanceof WsClient && client.ws.readyState !== client.ws.OPEN) {
      throw new RequestError({ code: 'INTERNAL', message: 'socket closed', temporary: true, retry_after_ms: 100 });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RequestError({ code: 'INTERNAL', message: `${type} timed out`, temporary: true, retry_after_ms: null }),
          ),
        REQUEST_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([client.request(type, body), timeout]);
    } catch (err) {
      // A network failure (not an answer from the server) on HTTP means the node is gone: move on.
      if (!(err instanceof RequestError) && client === this.current && client instanceof HttpClient) this.lost(client);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private lost(client: WsClient | HttpClient): void {
    if (this.current !== client) return;
    this.current = null;
    // Ends a held long-poll too, or the receive loop would only notice after up to 25 s.
    void client.close().catch(() => undefined);
    this.rotate();
    this.moves++;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let client: WsClient | HttpClient | null = null;
      try {
        if (this.options.transport === 'ws') {
          const ws = await WsClient.connect(this.url, { token: this.token, device_id: this.options.device });
          client = ws;
          ws.onPush((env) => this.onPush(env));
          this.connected(ws);
          await this.catchUp();
          await ws.closed;
        } else {
          const http = new HttpClient(this.url, this.token, this.options.device);
          client = http;
          this.connected(http);
          while (!this.stopped && this.current === http) {
            const page = await http.poll(this.cursor, 25_000);
            this.applyPage(page);
            const drain = page.pushes.find((p) => p.type === 'push' && p.topic === 'drain');
            if (drain) break;
          }
        }
      } catch {
        // Connection refused, reset, 502 from the balancer, or a refused poll: try the next node.
      }
      if (this.stopped) return;
      if (client) this.lost(client);
      else {
        this.rotate();
        this.moves++;
      }
      await sleep(100 + Math.floor(Math.random() * 150));
    }
  }

  private catchUp(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (;;) {
          const page = await this.request('sync', { cursor: this.cursor });
          this.applyPage(page);
          if (!page.more) return;
        }
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private onPush(env: ServerEnvelope): void {
    if (env.type !== 'push' || env.topic !== 'inbox') return;
    const body = env.body as { epoch: string; events: InboxEvent[] };
    for (const e of body.events) {
      if (!this.apply(body.epoch, e)) {
        this.catchUp().catch(() => undefined);
        return;
      }
    }
  }

  private applyPage(page: { epoch: string; events: InboxEvent[]; next: Cursor }): void {
    for (const e of page.events)
      if (!this.apply(page.epoch, e))
        throw new Error(`page skipped seq ${e.seq} (cursor ${JSON.stringify(this.cursor)})`);
    if (this.cursor === null || (this.cursor.epoch === page.epoch && page.next.seq > this.cursor.seq))
      this.cursor = page.next;
  }

  /** False on a gap (the event is ahead of the cursor); older events are ignored. */
  private apply(epoch: string, e: InboxEvent): boolean {
    if (this.cursor !== null && this.cursor.epoch !== epoch) throw new Error('inbox epoch changed');
    const expected = (this.cursor?.seq ?? 0) + 1;
    if (e.seq < expected) return true;
    if (e.seq > expected) return false;
    this.cursor = { epoch, seq: e.seq };
    this.events.push(e);
    return true;
  }
}
