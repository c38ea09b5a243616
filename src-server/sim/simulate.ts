import { makeRandomId, type BusiType, type LineObject } from '../../src-shared/protocol';
import { createAccount } from '../accounts';
import { DEMO_OBJECTS, DEMO_PASSWORD } from '../demo/seed';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { HttpClient, InboxReader, WsClient, signIn } from './protocol-client';

/**
 * `--simulate N`: N customers, each a real protocol client over loopback (two in three on
 * WebSocket, the rest long-polling), who open consultations about the demo catalogue, answer the
 * staff's replies after a human-looking pause and, once done, come back later with a new question.
 */
export interface SimulationOptions {
  customers: number;
  /** Pause before a customer answers, ms: [min, max). */
  replyDelayMs?: [number, number];
  /** Pause before a customer opens their next consultation, ms: [min, max). */
  idleMs?: [number, number];
  random?: () => number;
  logger: Logger;
}

type Kind = 'room' | 'hotel' | 'tour' | 'ticket' | 'order';
const OPENERS: Record<Kind, string[]> = {
  room: [
    'Is this room available next weekend?',
    'Does the room have a bathtub?',
    '这个房型下周末还有空房吗？',
    '可以加床吗？费用多少？',
  ],
  hotel: ['Do you have airport pick-up?', 'Is breakfast included?', '酒店有停车场吗？', '可以寄存行李吗？'],
  tour: [
    'How many people are in the group?',
    'Is lunch included in the tour?',
    '这个行程适合带老人吗？',
    '几点集合？在哪里集合？',
  ],
  ticket: [
    'Can I use the e-ticket on my phone?',
    'Are there student discounts?',
    '门票可以改日期吗？',
    '需要提前几天预订？',
  ],
  order: [
    'I have not received the confirmation for my order yet.',
    'Can I change the date of this order?',
    '我的订单可以退款吗？',
    '请帮我开发票，谢谢。',
  ],
};
const FOLLOW_UPS = [
  'Thanks! One more thing: can I pay by card?',
  'OK, and what about children?',
  '好的，那儿童怎么收费？',
  '明白了，可以帮我预留吗？',
  'Great, how do I confirm?',
  '能便宜一点吗？',
];
const CLOSERS = ['Perfect, thank you!', 'Thanks for your help 🙏', '好的，谢谢！', '太好了，谢谢你！'];

export interface Simulation {
  stop(): Promise<void>;
  /** Messages sent by simulated customers so far. */
  readonly sent: number;
}

export async function startSimulation(baseUrl: string, store: Store, options: SimulationOptions): Promise<Simulation> {
  const random = options.random ?? Math.random;
  const [replyMin, replyMax] = options.replyDelayMs ?? [2_000, 8_000];
  const [idleMin, idleMax] = options.idleMs ?? [20_000, 60_000];
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const objects = DEMO_OBJECTS.filter((o) => o.kind !== 'merchant');
  const timers = new Set<NodeJS.Timeout>();
  const closers: Array<() => Promise<void>> = [];
  let stopped = false;
  let sent = 0;

  const later = (ms: number, fn: () => Promise<void>): void => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn().catch((err: unknown) => options.logger.warn({ err }, 'simulated customer failed'));
    }, ms);
    timers.add(timer);
  };

  for (let i = 1; i <= options.customers; i++) {
    const login = `sim${i}`;
    await createAccount(
      store,
      { account: login, password: DEMO_PASSWORD, role: 'customer', display_name: `Traveller ${i} 游客${i}` },
      { cost: { N: 1 << 12, r: 8, p: 1 } },
    );
    const device = `sim-device-${i}`;
    const { token } = await signIn(baseUrl, login, DEMO_PASSWORD, device);
    const client =
      i % 3 === 0
        ? new HttpClient(baseUrl, token, device)
        : await WsClient.connect(baseUrl, { token, device_id: device, need: { view: 'list' } });
    const head = await client.request('sync', { cursor: null });
    const inbox = new InboxReader(client, head.next);
    await inbox.start();
    closers.push(async () => {
      await inbox.stop();
      await client.close();
    });
    const uid = (await store.findAccountByLogin(login))!.uid;
    const turns = new Map<string, number>();

    const say = async (
      target: { line_id: string } | { to: { object_id: string; busi_type: BusiType } },
      text: string,
    ): Promise<void> => {
      if (stopped) return;
      await client.request('send', {
        random_id: makeRandomId(Date.now(), random),
        ...target,
        content: { type: 'text', text },
      });
      sent++;
    };
    const consult = async (): Promise<void> => {
      const object: LineObject = pick(objects);
      const kind = object.kind as Kind;
      await say(
        { to: { object_id: object.object_id, busi_type: kind === 'order' ? 'private' : 'consult' } },
        pick(OPENERS[kind]),
      );
    };

    inbox.onEvent((event) => {
      if (event.kind !== 'message' || event.message.sender === uid || event.message.sender_role !== 'staff') return;
      const lineId = event.line.line_id;
      const turn = (turns.get(lineId) ?? 0) + 1;
      turns.set(lineId, turn);
      later(between(replyMin, replyMax), async () => {
        await client.request('read', { line_id: lineId, message_id: event.message.message_id });
        await client.request('typing', { line_id: lineId });
        if (turn < 3) {
          await say({ line_id: lineId }, pick(FOLLOW_UPS));
        } else {
          await say({ line_id: lineId }, pick(CLOSERS));
          later(between(idleMin, idleMax), consult);
        }
      });
    });
    // Stagger the first questions so the merchant side sees them trickle in.
    later(between(0, Math.max(1, idleMin / 2)), consult);
  }
  options.logger.info({ customers: options.customers }, 'simulation started');

  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}
