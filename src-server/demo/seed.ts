import type { BusiType, LineObject } from '../../src-shared/protocol';
import { createAccount } from '../accounts';
import type { PasswordCost } from '../auth/passwords';
import type { Account, Store } from '../store/types';

/** Every demo account signs in with this password. */
export const DEMO_PASSWORD = 'demo';

export const DEMO_MERCHANTS = [
  { merchant_id: 'm-hotel', name: 'West Lake Harbour Hotel 西湖港湾酒店' },
  { merchant_id: 'm-tours', name: 'Silk Road Tours 丝路旅行' },
  { merchant_id: 'm-tickets', name: 'Panda Tickets 熊猫票务' },
] as const;

export const DEMO_STAFF = [
  { account: 'alice@hotel', display_name: 'Alice Chen', merchant_id: 'm-hotel' },
  { account: 'bob@hotel', display_name: 'Bob Wang 王波', merchant_id: 'm-hotel' },
  { account: 'lina@hotel', display_name: '李娜', merchant_id: 'm-hotel' },
  { account: 'carol@tours', display_name: 'Carol Liu', merchant_id: 'm-tours' },
  { account: 'david@tours', display_name: '赵大卫 David', merchant_id: 'm-tours' },
  { account: 'erin@tickets', display_name: 'Erin Zhou', merchant_id: 'm-tickets' },
  { account: 'zhang@tickets', display_name: '张伟', merchant_id: 'm-tickets' },
] as const;

export const DEMO_CUSTOMERS = [
  { account: 'emma', display_name: 'Emma Johnson' },
  { account: 'wangfang', display_name: '王芳' },
  { account: 'liam', display_name: 'Liam Smith' },
  { account: 'chenjing', display_name: '陈静' },
  { account: 'sofia', display_name: 'Sofia García' },
  { account: 'liuyang', display_name: '刘洋' },
] as const;

export const DEMO_OBJECTS: readonly LineObject[] = [
  { object_id: 'm-hotel', kind: 'merchant', title: 'West Lake Harbour Hotel 西湖港湾酒店', merchant_id: 'm-hotel' },
  { object_id: 'hotel-westlake', kind: 'hotel', title: 'West Lake Harbour Hotel, Hangzhou', merchant_id: 'm-hotel' },
  {
    object_id: 'room-deluxe-lake',
    kind: 'room',
    title: 'Deluxe Lake View King 湖景豪华大床房',
    merchant_id: 'm-hotel',
  },
  {
    object_id: 'room-family-suite',
    kind: 'room',
    title: 'Family Suite with Garden 花园家庭套房',
    merchant_id: 'm-hotel',
  },
  {
    object_id: 'room-twin-city',
    kind: 'room',
    title: 'Superior Twin, City View 城景高级双床房',
    merchant_id: 'm-hotel',
  },
  {
    object_id: 'order-h-20240611',
    kind: 'order',
    title: 'Order H-20240611 · 2 nights Deluxe Lake View',
    merchant_id: 'm-hotel',
  },
  { object_id: 'm-tours', kind: 'merchant', title: 'Silk Road Tours 丝路旅行', merchant_id: 'm-tours' },
  {
    object_id: 'tour-li-river',
    kind: 'tour',
    title: 'Li River Cruise Guilin → Yangshuo 漓江精华游',
    merchant_id: 'm-tours',
  },
  {
    object_id: 'tour-terracotta',
    kind: 'tour',
    title: "Xi'an Terracotta Warriors Day Trip 兵马俑一日游",
    merchant_id: 'm-tours',
  },
  {
    object_id: 'tour-zhangjiajie',
    kind: 'tour',
    title: 'Zhangjiajie Avatar Mountains 3 days 张家界三日游',
    merchant_id: 'm-tours',
  },
  {
    object_id: 'order-t-88231',
    kind: 'order',
    title: 'Order T-88231 · Li River Cruise, 2 adults',
    merchant_id: 'm-tours',
  },
  { object_id: 'm-tickets', kind: 'merchant', title: 'Panda Tickets 熊猫票务', merchant_id: 'm-tickets' },
  {
    object_id: 'ticket-panda-base',
    kind: 'ticket',
    title: 'Chengdu Panda Base Entry 成都大熊猫基地门票',
    merchant_id: 'm-tickets',
  },
  {
    object_id: 'ticket-mutianyu',
    kind: 'ticket',
    title: 'Great Wall at Mutianyu + Cable Car 慕田峪长城含缆车',
    merchant_id: 'm-tickets',
  },
  {
    object_id: 'ticket-disney-sh',
    kind: 'ticket',
    title: 'Shanghai Disneyland 1-Day 上海迪士尼一日票',
    merchant_id: 'm-tickets',
  },
  { object_id: 'order-k-55102', kind: 'order', title: 'Order K-55102 · Panda Base ×3', merchant_id: 'm-tickets' },
];

type Turn = [who: 'c' | 's', text: string];
interface DemoConversation {
  customer: string;
  object_id: string;
  busi_type: BusiType;
  /** Staff login who answers; the line stays queued when no staff turn exists. */
  staff: string | null;
  turns: Turn[];
}

const CONVERSATIONS: DemoConversation[] = [
  {
    customer: 'emma',
    object_id: 'room-deluxe-lake',
    busi_type: 'consult',
    staff: 'alice@hotel',
    turns: [
      ['c', 'Hi! Is the Deluxe Lake View room available from 12 to 14 July?'],
      ['s', 'Hello Emma, yes — we have two left for those nights. Breakfast for two is included.'],
      ['c', 'Great. Can we check in early, around 11am?'],
      ['s', 'Early check-in from 11:00 is free if you book before Friday. Shall I hold one for you?'],
    ],
  },
  {
    customer: 'wangfang',
    object_id: 'room-family-suite',
    busi_type: 'consult',
    staff: 'lina@hotel',
    turns: [
      ['c', '你好，家庭套房可以加一张婴儿床吗？'],
      ['s', '您好！可以的，婴儿床免费提供，入住前告诉我们就行。'],
      ['c', '好的，谢谢！停车场收费吗？'],
    ],
  },
  {
    customer: 'liam',
    object_id: 'order-h-20240611',
    busi_type: 'feedback',
    staff: 'bob@hotel',
    turns: [
      ['c', 'The air conditioning in room 1203 was very noisy last night.'],
      ['s', 'So sorry about that, Liam. Engineering fixed it this morning and we have added a free late checkout.'],
    ],
  },
  {
    customer: 'chenjing',
    object_id: 'tour-li-river',
    busi_type: 'consult',
    staff: 'david@tours',
    turns: [
      ['c', '漓江游船几点出发？从阳朔酒店接送吗？'],
      ['s', '每天早上8:30出发，阳朔市区酒店都可以免费接送。'],
      ['c', '儿童票怎么算？'],
      ['s', '1.2米以下免费，1.2到1.5米半价。'],
    ],
  },
  {
    customer: 'sofia',
    object_id: 'tour-terracotta',
    busi_type: 'consult',
    staff: null,
    turns: [['c', 'Does the Terracotta day trip include lunch and an English-speaking guide?']],
  },
  {
    customer: 'emma',
    object_id: 'order-t-88231',
    busi_type: 'private',
    staff: 'carol@tours',
    turns: [
      ['c', 'Can I move our Li River cruise from the 15th to the 16th?'],
      ['s', 'Done! Your order T-88231 is now on 16 July, same pick-up time.'],
    ],
  },
  {
    customer: 'liuyang',
    object_id: 'ticket-panda-base',
    busi_type: 'consult',
    staff: 'zhang@tickets',
    turns: [
      ['c', '熊猫基地的票需要提前几天买？'],
      ['s', '建议提前一天，旺季早上7:30开门，越早去熊猫越活跃。'],
    ],
  },
  {
    customer: 'sofia',
    object_id: 'ticket-disney-sh',
    busi_type: 'consult',
    staff: null,
    turns: [['c', 'Are Disneyland tickets refundable if it rains?']],
  },
  {
    customer: 'liam',
    object_id: 'ticket-mutianyu',
    busi_type: 'consult',
    staff: 'erin@tickets',
    turns: [
      ['c', 'Does the Mutianyu ticket include the toboggan down?'],
      ['s', 'It includes the cable car both ways; the toboggan is 100 CNY extra at the station.'],
    ],
  },
];

/**
 * Load the demo world: three merchants, their staff and catalogues, customers and a few
 * conversations in English and Chinese. Idempotent: accounts and objects are upserts and the
 * history is written through the idempotent send path with fixed random_ids.
 */
export async function seedDemo(store: Store, options: { now?: number; cost?: PasswordCost } = {}): Promise<void> {
  const now = options.now ?? Date.now();
  for (const m of DEMO_MERCHANTS) await store.putMerchant(m, now);
  for (const o of DEMO_OBJECTS) await store.putObject(o);
  const accounts = new Map<string, Account>();
  for (const s of DEMO_STAFF) {
    accounts.set(
      s.account,
      await createAccount(
        store,
        { ...s, password: DEMO_PASSWORD, role: 'staff', capacity: 8 },
        { now, cost: options.cost },
      ),
    );
  }
  for (const c of DEMO_CUSTOMERS) {
    accounts.set(
      c.account,
      await createAccount(store, { ...c, password: DEMO_PASSWORD, role: 'customer' }, { now, cost: options.cost }),
    );
  }
  // History is spread over the last hours so the lists have a believable order.
  let t = now - CONVERSATIONS.length * 40 * 60_000;
  for (const [ci, conv] of CONVERSATIONS.entries()) {
    const customer = accounts.get(conv.customer)!;
    const staff = conv.staff ? accounts.get(conv.staff)! : null;
    let lineId: string | null = null;
    for (const [ti, [who, text]] of conv.turns.entries()) {
      t += 3 * 60_000;
      const sender = who === 'c' ? customer : staff;
      if (!sender) continue;
      const out = await store.send({
        sender,
        device_id: 'demo-seed',
        random_id: `demo00-seed${String(ci).padStart(3, '0')}turn${String(ti).padStart(3, '0')}`,
        target:
          lineId === null ? { to: { object_id: conv.object_id, busi_type: conv.busi_type } } : { line_id: lineId },
        content: { type: 'text', text },
        now: t,
        onlineStaff: new Set(),
        stickyWindowMs: 0,
      });
      lineId = out.line.line_id;
      // Whoever answers has read what came before, as the app would have marked it while they typed.
      if (!out.duplicate)
        await store.markRead({ line_id: lineId, reader: sender, message_id: out.message.message_id, now: t });
    }
    t += 30 * 60_000;
  }
}
