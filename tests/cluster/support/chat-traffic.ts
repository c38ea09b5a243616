import { makeRandomId } from '../../../src-shared/protocol';
import { createAccount, type Store } from '../../../src-server';
import { TEST_PASSWORD, TEST_PASSWORD_COST } from '../../support/test-server';
import { waitUntil } from './ports';
import { RoamingClient } from './roaming-client';

export const MERCHANT = 'm-cluster';
export const OBJECT = 'room-cluster';

export async function seedMerchant(store: Store, staffLogins: readonly string[]): Promise<void> {
  await store.putMerchant({ merchant_id: MERCHANT, name: 'Cluster Hotel' }, Date.now());
  await store.putObject({ object_id: OBJECT, kind: 'room', title: 'Lake room', merchant_id: MERCHANT });
  for (const login of staffLogins) {
    await createAccount(
      store,
      {
        account: login,
        password: TEST_PASSWORD,
        role: 'staff',
        merchant_id: MERCHANT,
        display_name: login,
        capacity: 50,
      },
      { cost: TEST_PASSWORD_COST },
    );
  }
}

export interface TrafficPlan {
  tag: string;
  store: Store;
  /** Node URLs (clients are spread over them), or one balancer URL. */
  urls: string[];
  staffLogins: readonly string[];
  customers: number;
  messagesPerCustomer: number;
  repliesPerLine: number;
  gapMs: number;
  /** Runs once, this long after the traffic started. */
  fault: () => Promise<void>;
  faultAfterMs: number;
}

export interface TrafficReport {
  lines: number;
  messages: number;
  moves: number;
  problems: string[];
  clients: RoamingClient[];
}

interface LinePlan {
  customer: RoamingClient;
  lineId: string;
  /** Every random_id sent on the line, and per sender in the order sent. */
  sent: string[];
  bySender: string[][];
}

/**
 * Staff and customers spread over the nodes on both transports, chatting while `fault` strikes.
 * Afterwards every line is checked in the inboxes of the customer and the assignee: every message
 * there exactly once, none missing, in commit order, each sender's messages in the order sent.
 */
export async function runChatTraffic(plan: TrafficPlan): Promise<TrafficReport> {
  const clients: RoamingClient[] = [];
  const at = (i: number): { first: number; transport: 'ws' | 'poll' } => ({
    first: i % plan.urls.length,
    transport: i % 2 === 0 ? 'ws' : 'poll',
  });
  const staff = new Map<string, RoamingClient>();
  try {
    for (const [i, login] of plan.staffLogins.entries()) {
      const client = new RoamingClient({
        login,
        password: TEST_PASSWORD,
        device: `${plan.tag}-${login}`,
        urls: plan.urls,
        ...at(i),
      });
      clients.push(client);
      await client.start();
      staff.set(client.uid, client);
    }
    const customers: RoamingClient[] = [];
    for (let i = 0; i < plan.customers; i++) {
      const login = `${plan.tag}-cust${i}`;
      await createAccount(
        plan.store,
        { account: login, password: TEST_PASSWORD, role: 'customer', display_name: login },
        { cost: TEST_PASSWORD_COST },
      );
      const client = new RoamingClient({
        login,
        password: TEST_PASSWORD,
        device: `${login}-d`,
        urls: plan.urls,
        ...at(i + 1),
      });
      clients.push(client);
      customers.push(client);
    }
    await Promise.all(customers.map((c) => c.start()));

    const started = Date.now();
    const fault = new Promise((r) => setTimeout(r, plan.faultAfterMs)).then(() => plan.fault());
    const lines = await Promise.all(customers.map((customer) => chat(plan, customer, staff)));
    await fault;
    const problems: string[] = [];
    await waitUntil(
      () => lines.every((line) => delivered(line, staff)),
      30_000,
      'every message delivered everywhere',
    ).catch((err: Error) => problems.push(`${err.message} after ${Date.now() - started} ms`));
    for (const line of lines) problems.push(...check(line, staff));
    return {
      lines: lines.length,
      messages: lines.reduce((n, l) => n + l.sent.length, 0),
      moves: clients.reduce((n, c) => n + c.moves, 0),
      problems,
      clients,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
}

async function chat(plan: TrafficPlan, customer: RoamingClient, staff: Map<string, RoamingClient>): Promise<LinePlan> {
  const text = (n: number): { type: 'text'; text: string } => ({
    type: 'text',
    text: `${customer.options.login} #${n}`,
  });
  const first = await customer.send({
    random_id: rid(),
    to: { object_id: OBJECT, busi_type: 'consult' },
    content: text(0),
  });
  const line: LinePlan = {
    customer,
    lineId: first.line.line_id,
    sent: [first.message.random_id!],
    bySender: [[first.message.random_id!], []],
  };
  const replier = staff.get(first.line.assignee ?? '') ?? [...staff.values()][0]!;
  const sendAll = async (
    who: RoamingClient,
    order: string[],
    count: number,
    body: (n: number) => Parameters<RoamingClient['send']>[0],
  ): Promise<void> => {
    for (let n = 1; n <= count; n++) {
      const b = body(n);
      line.sent.push(b.random_id);
      order.push(b.random_id);
      await who.send(b);
      await new Promise((r) => setTimeout(r, plan.gapMs));
    }
  };
  await Promise.all([
    sendAll(customer, line.bySender[0]!, plan.messagesPerCustomer - 1, (n) => ({
      random_id: rid(),
      line_id: line.lineId,
      content: text(n),
    })),
    sendAll(replier, line.bySender[1]!, plan.repliesPerLine, (n) => ({
      random_id: rid(),
      line_id: line.lineId,
      content: { type: 'text', text: `reply ${n}` },
    })),
  ]);
  return line;
}

function rid(): string {
  return makeRandomId(Date.now(), Math.random);
}

/** Whose inbox must hold the line: its customer and whoever it is assigned to (all staff while queued). */
function readers(line: LinePlan, staff: Map<string, RoamingClient>): RoamingClient[] {
  const last = [...line.customer.messages()].reverse().find((e) => e.line.line_id === line.lineId);
  const assignee = last?.line.assignee ?? null;
  return [line.customer, ...(assignee !== null && staff.has(assignee) ? [staff.get(assignee)!] : [...staff.values()])];
}

/** People's messages on a line, by random_id (the server's own notices carry none). */
function seen(client: RoamingClient, lineId: string): string[] {
  return client
    .messages()
    .flatMap((e) => (e.message.line_id === lineId && e.message.random_id !== null ? [e.message.random_id] : []));
}

function delivered(line: LinePlan, staff: Map<string, RoamingClient>): boolean {
  return readers(line, staff).every((r) => seen(r, line.lineId).length >= line.sent.length);
}

function check(line: LinePlan, staff: Map<string, RoamingClient>): string[] {
  const problems: string[] = [];
  const sent = new Set(line.sent);
  let order: string[] | null = null;
  for (const reader of readers(line, staff)) {
    const who = `${reader.options.login} on line ${line.lineId}`;
    const got = seen(reader, line.lineId);
    const dup = got.filter((id, i) => got.indexOf(id) !== i);
    if (dup.length > 0) problems.push(`${who}: ${dup.length} delivered twice`);
    const missing = line.sent.filter((id) => !got.includes(id));
    if (missing.length > 0) problems.push(`${who}: ${missing.length} of ${line.sent.length} missing`);
    const foreign = got.filter((id) => !sent.has(id));
    if (foreign.length > 0) problems.push(`${who}: ${foreign.length} never sent`);
    // Commit order is the same for everyone, and each sender's messages keep the order they were sent in.
    if (order === null) order = got;
    else if (order.join() !== got.join()) problems.push(`${who}: order differs between the two sides`);
    const ids = reader
      .messages()
      .filter((e) => e.message.line_id === line.lineId)
      .map((e) => Number(e.message.message_id));
    if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) problems.push(`${who}: not in commit order`);
    const seqs = reader.events.map((e) => e.seq);
    if (seqs.some((s, i) => s !== i + 1)) problems.push(`${reader.options.login}: inbox seqs not contiguous`);
  }
  for (const ids of line.bySender) {
    const positions = ids.map((id) => order?.indexOf(id) ?? -1);
    if (positions.some((p, i) => i > 0 && p < positions[i - 1]!))
      problems.push(`line ${line.lineId}: a sender's messages out of send order`);
  }
  return problems;
}
