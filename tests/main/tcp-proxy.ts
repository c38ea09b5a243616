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
      const frames = websocket ? new ClientFrameReader() : null;
      const fromClient = (chunk: Buffer): void => {
        if (this.frozen) return;
        const rule = this.cutAfterClientSends;
        // WebSocket frames from a client are masked: read them to see the text inside.
        const texts = frames ? frames.push(chunk) : [chunk.toString('utf8')];
        if (rule && texts.some((t) => rule.test(t))) {
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

/**
 * Reads the client side of a WebSocket connection (the HTTP upgrade request, then masked frames)
 * and returns the text of every frame completed by each chunk. Enough for test rules; no fragmentation.
 */
class ClientFrameReader {
  private buffer = Buffer.alloc(0);
  private upgraded = false;

  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const texts: string[] = [];
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return texts;
      texts.push(this.buffer.subarray(0, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = true;
    }
    for (;;) {
      if (this.buffer.length < 2) return texts;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return texts;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return texts;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (this.buffer[1]! & 0x80) !== 0;
      const start = offset + (masked ? 4 : 0);
      if (this.buffer.length < start + length) return texts;
      const payload = Buffer.from(this.buffer.subarray(start, start + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= this.buffer[offset + (i % 4)]!;
      texts.push(payload.toString('utf8'));
      this.buffer = this.buffer.subarray(start + length);
    }
  }
}
