import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP forwarder to put between a node and Redis or PostgreSQL, to break the path the
 * ways networks do: `wedge()` silently drops everything on the connections open now (they stay open,
 * as behind a dead NAT entry) while new connections work; `cut()` resets every connection;
 * `refuse()` closes new ones at once (the service is down).
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; wedged: boolean }>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    return new Promise((resolve) => {
      let proxy: TcpProxy;
      const server = createServer((client) => proxy.accept(client, targetPort, targetHost));
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        proxy = new TcpProxy(server, typeof address === 'object' && address ? address.port : 0);
        resolve(proxy);
      });
    });
  }

  get connections(): number {
    return this.pairs.size;
  }

  wedge(): void {
    for (const pair of this.pairs) pair.wedged = true;
  }

  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  refuse(on: boolean): void {
    this.refusing = on;
    if (on) this.cut();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, port: number, host: string): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    const pair = { client, upstream, wedged: false };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.wedged) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  }
}
