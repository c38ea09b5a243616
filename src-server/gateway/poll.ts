import { push, type Cursor, type Need, type PollResult, type ServerEnvelope } from '../../src-shared/protocol';
import type { ImContext, RequestHandlers } from '../im/handlers';
import { wantsLineEphemeral } from '../im/scope';
import type { Account } from '../store/types';

export interface PollRequest {
  account: Account;
  device_id: string;
  cursor: Cursor | null;
  waitMs: number;
  focused?: boolean;
  /** Resolves when the HTTP client goes away, so the hold ends early. */
  aborted: Promise<void>;
}

interface Held {
  wake: (reason: 'drain') => void;
}

/**
 * Long-poll receive: answers at once when the inbox has events after the cursor, otherwise holds
 * until an event commits, an ephemeral push arrives, the wait ends or the server drains.
 * Stateless between requests: the client carries its cursor, so any node can answer.
 */
export class PollGateway {
  private readonly held = new Set<Held>();
  private draining: { delayFor: () => number } | null = null;

  constructor(
    private readonly ctx: ImContext,
    private readonly handlers: RequestHandlers,
  ) {}

  /**
   * The answer as PollResult JSON text: events handed over by their commits go out as those commits
   * wrote them, with no parse and re-serialise per answer.
   */
  async poll(req: PollRequest): Promise<string> {
    const { store, hub, presence, config } = this.ctx;
    const { account, device_id } = req;
    const channel = {
      channel_id: `poll:${account.uid}:${device_id}`,
      uid: account.uid,
      role: account.role,
      merchant_id: account.merchant_id,
      device_id,
      transport: 'poll' as const,
    };
    if (req.focused !== undefined) await presence.updateDevice(account.uid, device_id, { focused: req.focused });
    const becameOnline = await presence.upsert(channel, req.waitMs + config.pollPresenceGraceMs);
    await this.handlers.channelOpened(account, becameOnline, req.focused ?? true);
    // Read when a line-scoped push arrives, not when the poll began: the user may open another line
    // (a `need` request over rpc, perhaps on another node) while this poll is held.
    const currentNeed = async (): Promise<Need | null> =>
      (await presence.channels(account.uid)).find((c) => c.device_id === device_id)?.need ?? null;

    const pushes: ServerEnvelope[] = [];
    let wake: (reason: 'inbox' | 'ephemeral' | 'drain' | 'timeout' | 'aborted') => void = () => undefined;
    const woken = new Promise<string>((resolve) => (wake = resolve));
    const floor = req.cursor?.seq ?? 0;
    // Events handed over by the commits that wrote them, as long as they follow the cursor without a
    // gap: then the answer needs no read. Any gap, or an event that came without its JSON, means a read.
    const carried: string[] = [];
    let carriedAll = true;
    // Subscribe before the first read so a commit in between still wakes us.
    const unsubscribe = hub.subscribe(account.uid, (signal) => {
      if (signal.kind === 'inbox') {
        if (signal.seq <= floor) return;
        if (signal.seq === floor + carried.length + 1 && signal.event !== undefined) carried.push(signal.event);
        else if (signal.seq > floor + carried.length) carriedAll = false;
        wake('inbox');
        return;
      }
      const { envelope, line_id } = signal.push;
      if (line_id === undefined) {
        pushes.push(envelope);
        wake('ephemeral');
        return;
      }
      currentNeed().then(
        (need) => {
          if (!wantsLineEphemeral(account.role, need, line_id)) return;
          pushes.push(envelope);
          wake('ephemeral');
        },
        // Ephemeral and best effort: without the view there is no push, the poll goes on.
        () => undefined,
      );
    });
    const held: Held = { wake };
    try {
      let page = await store.sync(account.uid, req.cursor, config.maxSyncPage);
      if (page.events.length === 0 && page.outcome === 'recovered' && req.waitMs > 0) {
        const drainNow = this.drainPush();
        if (drainNow) {
          pushes.push(drainNow);
        } else {
          this.held.add(held);
          const timer = setTimeout(() => wake('timeout'), req.waitMs);
          void req.aborted.then(() => wake('aborted'));
          const reason = await woken;
          clearTimeout(timer);
          const drained = reason === 'drain' ? this.drainPush() : null;
          if (drained) pushes.push(drained);
          if (reason === 'inbox') {
            if (carriedAll && carried.length > 0) return carriedPageJson(page.epoch, floor, carried, pushes);
            page = await store.sync(account.uid, req.cursor, config.maxSyncPage);
          }
        }
      }
      return JSON.stringify({ ...page, pushes } satisfies PollResult);
    } finally {
      this.held.delete(held);
      unsubscribe();
      // The device stays "live" for a grace period after the answer, while it sends its next poll.
      await presence.upsert(channel, config.pollPresenceGraceMs).catch(() => undefined);
    }
  }

  private drainPush(): ServerEnvelope | null {
    return this.draining
      ? push('drain', { retry_after_ms: this.draining.delayFor(), reason: 'server shutting down' })
      : null;
  }

  /** Answer every held poll now, each with its own drain push; later polls are answered at once. */
  drain(delayFor: () => number): void {
    this.draining = { delayFor };
    for (const h of this.held) h.wake('drain');
  }

  get heldCount(): number {
    return this.held.size;
  }
}

/**
 * The answer for events carried by their commits (contiguous after `floor`), the client polls on from
 * `next`: the same text as JSON.stringify of that PollResult, with each event's stored JSON spliced in.
 */
function carriedPageJson(epoch: string, floor: number, events: readonly string[], pushes: ServerEnvelope[]): string {
  const e = JSON.stringify(epoch);
  const next = floor + events.length;
  return `{"outcome":"recovered","epoch":${e},"events":[${events.join(',')}],"next":{"epoch":${e},"seq":${next}},"more":false,"pushes":${JSON.stringify(pushes)}}`;
}
