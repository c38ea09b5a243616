/**
 * The reference: a Socket.IO node with the Redis adapter (what most Node teams would reach for to
 * relay between nodes). Each socket joins the room named in its handshake; `msg` is relayed to a
 * room across all nodes and acknowledged. Nothing is stored. Prints {"port":N}.
 * Args: <redisUrl> <prefix>
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const [redisUrl, prefix] = process.argv.slice(2);
if (!redisUrl || !prefix) throw new Error('usage: socketio-node.ts <redisUrl> <prefix>');
const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const http = createServer();
const io = new Server(http, { transports: ['websocket'], adapter: createAdapter(pub, sub, { key: prefix }) });
io.on('connection', (socket) => {
  const room = socket.handshake.query.room;
  if (typeof room === 'string') void socket.join(room);
  socket.on('msg', (to: string, t: number, ack?: () => void) => {
    io.to(to).emit('msg', t);
    ack?.();
  });
});
http.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: (http.address() as AddressInfo).port })}\n`),
);
process.once('SIGTERM', () => {
  void io.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
});
