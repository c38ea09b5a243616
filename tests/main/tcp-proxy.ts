import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  websocket: boolean;
}

/**
 * A loopback TCP proxy in front of the test server that plays the network's bad days: cut every
 * connection, block WebSocket upgrades (as some shop proxies do), kill upgraded sockets young,
 * freeze traffic silently, or cut right after a chosen client packet went through (a lost ack).
 * The client core only ever sees the proxy's URL, so the server may restart on another port.
 */
export class TcpProxy {
  blockWebSocket = false;
  killWebSocketAfterMs: number | null = null;
  /** Drop all bytes both ways without closing anything (a dead NAT mapping). */
  frozen = false;
  /** One-shot: forward the first client chunk matching this, then cut that connection. */
  cutAfterClientSends: RegExp | null = null;
  /** Refuse every new connection (server unreachable). */
  refuse = false;
  connectionsAccepted = 0;
  websocketsAccepted = 0;
  private readonly pairs = new Set<Pair>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: net.Server,
    private target: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, targetPort);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setTarget(port: number): void {
    this.target = port;
  }

  cutAll(): void {
    for (const pair of this.pairs) this.cut(pair);
  }

  liveWebSockets(): number {
    return [...this.pairs].filter((p) => p.websocket).length;
  }

  async close(): Promise<void> {
    this.cutAll();
    for (const t of this.timers) clearTimeout(t);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.refuse) {
      client.destroy();
      return;
    }
    this.connectionsAccepted++;
    client.once('data', (first: Buffer) => {
      const websocket = first.toString('latin1').startsWith('GET /v1/ws');
      if (websocket && this.blockWebSocket) {
        client.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = net.connect(this.target, '127.0.0.1');
      upstream.on('error', () => {});
      const pair: Pair = { client, upstream, websocket };
      this.pairs.add(pair);
      if (websocket) {
        this.websocketsAccepted++;
        if (this.killWebSocketAfterMs !== null) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.cut(pair);
          }, this.killWebSocketAfterMs);
          this.timers.add(timer);
        }
      }
      const fromClient = (chunk: Buffer): void => {
        if (this.frozen) return;
        const rule = this.cutAfterClientSends;
        if (rule && rule.test(chunk.toString('utf8'))) {
          this.cutAfterClientSends = null;
          upstream.write(chunk, () => this.cut(pair));
          return;
        }
        upstream.write(chunk);
      };
      fromClient(first);
      client.on('data', fromClient);
      upstream.on('data', (chunk: Buffer) => {
        if (!this.frozen) client.write(chunk);
      });
      const end = (): void => this.cut(pair);
      client.on('close', end);
      upstream.on('close', end);
    });
  }

  private cut(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
