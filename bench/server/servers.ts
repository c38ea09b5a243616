/**
 * Child process for the server benchmark: starts one server under test and prints its port as a
 * JSON line on stdout, then runs until killed; on SIGUSR2 it prints `{"cpu_us": n}` (its CPU time). Kinds:
 *   im <pairs>      the IM server (SQLite in a temp dir, logs off) with a merchant, <pairs> staff and customers
 *   ws              a bare `ws` relay: forwards each frame to the other member of its pair, stores nothing
 *   socketio        the same relay on Socket.IO (WebSocket transport), stores nothing
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAccount, startServer } from '../../src-server';

const [kind, pairsArg] = process.argv.slice(2);
const announce = (port: number): void => {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
};
// The benchmark asks for this process's CPU time around its measured window.
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpu_us: user + system })}\n`);
});

if (kind === 'im') {
  const pairs = Number(pairsArg ?? '10');
  const dataDir = mkdtempSync(join(tmpdir(), 'im-bench-'));
  // Rate limits are raised: the benchmark drives each connection far above a human's pace.
  const server = await startServer({
    dataDir,
    logger: false,
    ratePerSecond: 1e6,
    rateBurst: 1e6,
    defaultCapacity: 1000,
  });
  const cost = { N: 1 << 10, r: 8, p: 1 };
  await server.store.putMerchant({ merchant_id: 'm-bench', name: 'Bench Hotel' }, Date.now());
  for (let i = 0; i < pairs; i++) {
    await server.store.putObject({ object_id: `room-${i}`, kind: 'room', title: `Room ${i}`, merchant_id: 'm-bench' });
    await createAccount(
      server.store,
      { account: `staff${i}`, password: 'pw', role: 'staff', merchant_id: 'm-bench', display_name: `Staff ${i}` },
      { cost },
    );
    await createAccount(
      server.store,
      { account: `cust${i}`, password: 'pw', role: 'customer', display_name: `Customer ${i}` },
      { cost },
    );
  }
  process.on('SIGTERM', () => {
    void server.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  announce(server.port);
} else if (kind === 'ws') {
  const peers = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const pair = new URL(req.url ?? '/', 'http://x').searchParams.get('pair') ?? '';
    let set = peers.get(pair);
    if (!set) peers.set(pair, (set = new Set()));
    set.add(ws);
    ws.on('message', (data, isBinary) => {
      for (const other of set) if (other !== ws) other.send(data, { binary: isBinary });
    });
    ws.on('close', () => set.delete(ws));
  });
  wss.on('listening', () => announce((wss.address() as AddressInfo).port));
} else if (kind === 'socketio') {
  const http = createServer();
  const io = new SocketIoServer(http, { transports: ['websocket'], perMessageDeflate: false });
  io.on('connection', (socket) => {
    const pair = String(socket.handshake.query.pair ?? '');
    void socket.join(pair);
    socket.on('msg', (payload: unknown) => {
      socket.to(pair).emit('msg', payload);
    });
  });
  http.listen(0, '127.0.0.1', () => announce((http.address() as AddressInfo).port));
} else {
  throw new Error(`unknown server kind ${kind}`);
}
