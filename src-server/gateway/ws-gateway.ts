import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ImContext, RequestHandlers } from '../im/handlers';
import { WsConnection } from './ws-connection';

export const WS_PATH = '/v1/ws';

/**
 * Accepts WebSocket upgrades on /v1/ws and owns the set of live connections. The ws library's own
 * payload cap sits well above the protocol limit so an oversized frame is answered with
 * PAYLOAD_TOO_LARGE (connection kept) instead of being cut by the library.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private nextId = 1;
  private accepting = true;

  constructor(
    private readonly ctx: ImContext,
    private readonly handlers: RequestHandlers,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: ctx.config.maxPacketBytes * 4,
      perMessageDeflate: false,
    });
  }

  /** Connections that are open (not closing). */
  get size(): number {
    let n = 0;
    for (const c of this.connections) if (c.open) n++;
    return n;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || !this.accepting) {
      socket.end(
        `HTTP/1.1 ${this.accepting ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsConnection(`ws-${process.pid}-${this.nextId++}`, ws, socket, this.ctx, this.handlers, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(conn);
    });
  }

  /** Refuse new upgrades, send each client its own reconnect delay, close them with 1001 and wait. */
  async drain(delayFor: () => number, waitMs: number): Promise<void> {
    this.accepting = false;
    for (const conn of this.connections) conn.drain(delayFor());
    await this.waitUntilEmpty(waitMs);
    for (const conn of this.connections) conn.terminate();
    this.wss.close();
  }

  kill(): void {
    this.accepting = false;
    for (const conn of this.connections) conn.terminate();
    this.wss.close();
  }

  private async waitUntilEmpty(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
