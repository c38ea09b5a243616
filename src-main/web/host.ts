import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  BRIDGE_FRAGMENT_KEY,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PREFIX,
  type BridgeServerFrame,
} from '../../src-shared/ipc';
import { BridgeSession, type BridgeTarget } from './bridge-session';

export interface WebHostOptions {
  target: BridgeTarget;
  /** The built renderer (vite's output). */
  rendererDir: string;
  /** 0 (default) picks a free port. The host always binds 127.0.0.1. */
  port?: number;
  /** Per-launch secret; random when absent (tests pass their own). */
  secret?: string;
  /** Largest inbound frame: an image upload in base64 plus its envelope. */
  maxFrameBytes?: number;
  /** A page that reads this slowly is closed rather than buffered without end. */
  maxBufferedBytes?: number;
}

export interface WebHost {
  /** Address to open in a browser; carries the secret in its fragment, which browsers never send. */
  url: string;
  origin: string;
  port: number;
  /** Open bridge connections. */
  connections(): number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/**
 * Content-Security-Policy of the served page. Message images arrive as blob: URLs made from bytes
 * the core fetched and checked, so no server origin is listed. connect-src 'self' admits the
 * bridge's loopback WebSocket (same origin).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function sameSecret(offered: string, secret: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Browser mode's host: serves the built renderer and carries the IPC contract over one local
 * WebSocket per page. Loopback only; a connection must name this launch's secret (as a WebSocket
 * subprotocol), come from this host's own origin and address it by its loopback name, or it is
 * refused before the upgrade.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const app = Fastify({ logger: false });
  let port = 0;
  const allowedHosts = () => new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);

  // A page on some other site can reach loopback too (DNS rebinding): answer only to our own name.
  app.addHook('onRequest', async (request, reply) => {
    if (!allowedHosts().has(request.headers.host ?? '')) return reply.code(421).send('Misdirected request');
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  });
  if (existsSync(options.rendererDir)) {
    await app.register(fastifyStatic, { root: options.rendererDir, index: ['index.html'], cacheControl: false });
  } else {
    app.get('/', (_request, reply) =>
      reply.code(503).type('text/plain').send('The renderer is not built: run `npm run build:renderer`.'),
    );
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes ?? 16 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  const sessions = new Map<WebSocket, BridgeSession>();

  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const authorised = (request: IncomingMessage): string | null => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path !== BRIDGE_PATH) return '404 Not Found';
    const host = request.headers.host ?? '';
    if (!allowedHosts().has(host)) return '421 Misdirected Request';
    if (request.headers.origin !== `http://${host}`) return '403 Forbidden';
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const key = offered.find((p) => p.startsWith(BRIDGE_SECRET_PREFIX));
    if (!offered.includes(BRIDGE_PROTOCOL) || !key || !sameSecret(key.slice(BRIDGE_SECRET_PREFIX.length), secret))
      return '401 Unauthorized';
    return null;
  };

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = authorised(request);
    if (refusal) {
      refuse(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const send = (frame: BridgeServerFrame) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > maxBuffered) {
          ws.close(1013, 'page is not reading');
          return;
        }
        ws.send(JSON.stringify(frame));
      };
      const session = new BridgeSession(options.target, send);
      sessions.set(ws, session);
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          ws.close(1003, 'text frames only');
          return;
        }
        // Each call settles into a frame of its own; nothing to await here.
        void session.receive(textOf(data));
      });
      ws.on('close', () => {
        session.dispose();
        sessions.delete(ws);
      });
      ws.on('error', () => ws.terminate());
    });
  });

  await app.listen({ host: LOOPBACK, port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://${LOOPBACK}:${port}`;

  return {
    url: `${origin}/#${BRIDGE_FRAGMENT_KEY}=${secret}`,
    origin,
    port,
    connections: () => sessions.size,
    async close() {
      for (const [ws, session] of sessions) {
        session.dispose();
        ws.terminate();
      }
      sessions.clear();
      wss.close();
      await app.close();
    },
  };
}
