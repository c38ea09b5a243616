import { io as socketIo, type Socket } from 'socket.io-client';
import { makeRandomId, type InboxEvent, type ServerEnvelope } from '../../src-shared/protocol';
import { WsClient } from '../../src-server/sim/protocol-client';
import { drivePingPong, type Pair } from '../support/ping-pong';

export type { Pair };

export interface RelayResult {
  messagesPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
  errors: number;
}

export async function drive(
  pairs: Pair[],
  warmupMs: number,
  measureMs: number,
  errors: () => number,
): Promise<RelayResult> {
  const { probeDelta, ...rest } = await drivePingPong(pairs, { warmupMs, measureMs, probe: errors });
  return { ...rest, errors: probeDelta };
}

export interface ImParty {
  login: string;
  token: string;
  device: string;
}

/**
 * IM pairs over WebSocket: tokens are minted up front, lines opened before the measured window.
 * The customer of pair k is on node k mod n and its staff member on node (k+1) mod n, so with two
 * or more nodes every hop crosses nodes (through Redis). Socket.IO pairs are placed the same way.
 */
export async function imPairs(
  urls: readonly string[],
  parties: Array<{ customer: ImParty; staff: ImParty; objectId: string }>,
  failures: { count: number },
): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (const [k, p] of parties.entries()) {
    const customer = await WsClient.connect(urls[k % urls.length]!, {
      token: p.customer.token,
      device_id: p.customer.device,
    });
    const staff = await WsClient.connect(urls[(k + 1) % urls.length]!, {
      token: p.staff.token,
      device_id: p.staff.device,
    });
    const opened = await customer.request('send', {
      random_id: rid(),
      to: { object_id: p.objectId, busi_type: 'consult' },
      content: { type: 'text', text: 'hello' },
    });
    const lineId = opened.line.line_id;
    const send = (client: WsClient, t: number): void => {
      client
        .request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: `t:${t}` } })
        .catch(() => failures.count++);
    };
    const pair: Pair = {
      send: (from, t) => send(from === 'customer' ? customer : staff, t),
      onReceive: () => undefined,
      close: async () => {
        await customer.close();
        await staff.close();
      },
    };
    // Live inbox pushes carry the other side's message; the receiver's own copies are skipped.
    const listen = (client: WsClient, side: 'customer' | 'staff', fromRole: 'customer' | 'staff'): void => {
      client.onPush((env: ServerEnvelope) => {
        if (env.type !== 'push' || env.topic !== 'inbox') return;
        for (const e of (env.body as { events: InboxEvent[] }).events) {
          if (
            e.kind !== 'message' ||
            e.message.line_id !== lineId ||
            e.message.sender_role !== fromRole ||
            e.message.content.type !== 'text'
          )
            continue;
          const text = e.message.content.text;
          if (text.startsWith('t:')) pair.onReceive(side, Number(text.slice(2)));
        }
      });
    };
    listen(staff, 'staff', 'customer');
    listen(customer, 'customer', 'staff');
    pairs.push(pair);
  }
  return pairs;
}

/** The same pairs on Socket.IO: each socket in its own room; `msg` goes to the other side's room. */
export async function socketIoPairs(
  urls: readonly string[],
  count: number,
  failures: { count: number },
): Promise<Pair[]> {
  const open = (url: string, room: string): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = socketIo(url, { transports: ['websocket'], query: { room }, reconnection: false });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const pairs: Pair[] = [];
  for (let k = 0; k < count; k++) {
    const customer = await open(urls[k % urls.length]!, `c${k}`);
    const staff = await open(urls[(k + 1) % urls.length]!, `s${k}`);
    const pair: Pair = {
      send: (from, t) => {
        const [socket, to] = from === 'customer' ? [customer, `s${k}`] : [staff, `c${k}`];
        socket.timeout(5_000).emit('msg', to, t, (err: Error | null) => {
          if (err) failures.count++;
        });
      },
      onReceive: () => undefined,
      close: () => {
        customer.disconnect();
        staff.disconnect();
        return Promise.resolve();
      },
    };
    customer.on('msg', (t: number) => pair.onReceive('customer', t));
    staff.on('msg', (t: number) => pair.onReceive('staff', t));
    pairs.push(pair);
  }
  // Room joins propagate through Redis: give them a moment before the first message.
  await new Promise((r) => setTimeout(r, 300));
  return pairs;
}

function rid(): string {
  return makeRandomId(Date.now(), Math.random);
}
