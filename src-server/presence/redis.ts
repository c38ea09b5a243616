import type { Redis } from 'ioredis';
import type { Need } from '../../src-shared/protocol';
import { closeRedis, openRedis } from '../hub/redis-connection';
import type { Logger } from '../logger';
import type { Channel, ChannelState, PresenceDirectory } from './types';

export interface RedisPresenceOptions {
  url: string;
  prefix: string;
  nodeId: string;
  logger?: Logger;
  now?: () => number;
  /** Device state (focus, view) outlives its last channel by this much. Default 60 s. */
  deviceGraceMs?: number;
}

/**
 * Per user, three keys that expire on their own when nobody refreshes them:
 * - `ch:<uid>`  sorted set: channel → lease expiry (ms, Redis clock); expired members are pruned on write;
 * - `chd:<uid>` hash: channel → channel JSON;
 * - `dev:<uid>` hash: `f:<device>` focus, `n:<device>` view.
 * Scripts read the time from Redis itself, so node clocks never disagree about a lease.
 * Channels are named `<node>/<channel_id>`: channel ids are only unique within one node.
 */
const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
const EXTEND = `
local function extend(key, ttl)
  if redis.call('EXISTS', key) == 1 and redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end`;

const UPSERT = `${NOW_MS} ${EXTEND}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then redis.call('ZREM', KEYS[1], unpack(expired)) redis.call('HDEL', KEYS[2], unpack(expired)) end
local before = redis.call('ZCARD', KEYS[1])
local lease = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
extend(KEYS[1], lease) extend(KEYS[2], lease) extend(KEYS[3], lease + tonumber(ARGV[4]))
if before == 0 then return 1 end
return 0`;

const REMOVE = `redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) return 1`;

const UPDATE_DEVICE = `${NOW_MS}
for i = 1, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local ttl = tonumber(ARGV[#ARGV])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return now`;

const CHANNELS = `${NOW_MS}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local data = {}
if #live > 0 then data = redis.call('HMGET', KEYS[2], unpack(live)) end
return { data, redis.call('HGETALL', KEYS[3]) }`;

const ONLINE = `${NOW_MS}
local out = {}
for i = 1, #KEYS do out[i] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') end
return out`;

type Scripted = Redis & {
  imUpsert(
    ch: string,
    chd: string,
    dev: string,
    member: string,
    json: string,
    leaseMs: number,
    graceMs: number,
  ): Promise<number>;
  imRemove(ch: string, chd: string, member: string): Promise<number>;
  imUpdateDevice(dev: string, ...fieldsThenTtl: Array<string | number>): Promise<number>;
  imChannels(ch: string, chd: string, dev: string): Promise<[Array<string | null>, string[]]>;
  imOnline(numKeys: number, ...keys: string[]): Promise<number[]>;
};

interface Lease {
  channel: Channel;
  expiresAt: number;
}

interface DeviceState {
  focused?: boolean;
  need?: Need;
}

/**
 * Cluster presence in Redis: which users have a live channel on any node, and each device's focus and
 * view. Leases expire in Redis, so a node that dies takes its channels with it when they run out.
 *
 * While Redis is unreachable the node keeps serving: it answers from its own channels (so assignment
 * sees this node's staff, and remote push may fire for users online elsewhere) and, once Redis is
 * back, writes its live channels and device states again — a restarted Redis has lost them.
 */
export class RedisPresence implements PresenceDirectory {
  private readonly redis: Scripted;
  /** This node's leases by user: to remove them, to answer while Redis is away, and to restore them. */
  private readonly mine = new Map<string, Map<string, Lease>>();
  private readonly uidOf = new Map<string, string>();
  private readonly devices = new Map<string, Map<string, DeviceState>>();
  private readonly now: () => number;
  private readonly deviceGraceMs: number;
  private everReady = false;
  private lastSweep = 0;
  private fallbacks = 0;

  constructor(private readonly options: RedisPresenceOptions) {
    this.now = options.now ?? Date.now;
    this.deviceGraceMs = options.deviceGraceMs ?? 60_000;
    const redis = openRedis('command', {
      url: options.url,
      name: `im-presence-${options.nodeId}`,
      logger: options.logger,
    });
    redis.defineCommand('imUpsert', { numberOfKeys: 3, lua: UPSERT });
    redis.defineCommand('imRemove', { numberOfKeys: 2, lua: REMOVE });
    redis.defineCommand('imUpdateDevice', { numberOfKeys: 1, lua: UPDATE_DEVICE });
    redis.defineCommand('imChannels', { numberOfKeys: 3, lua: CHANNELS });
    redis.defineCommand('imOnline', { lua: ONLINE });
    redis.on('ready', () => this.onReady());
    this.redis = redis as Scripted;
  }

  upsert(channel: Channel, leaseMs: number): Promise<boolean> {
    this.sweep();
    const leases = this.mine.get(channel.uid) ?? new Map<string, Lease>();
    const wasOnline = this.liveLeases(channel.uid).length > 0;
    leases.set(channel.channel_id, { channel, expiresAt: this.now() + leaseMs });
    this.mine.set(channel.uid, leases);
    this.uidOf.set(channel.channel_id, channel.uid);
    const k = this.keys(channel.uid);
    return this.orFallback(
      async () =>
        (await this.redis.imUpsert(
          k.ch,
          k.chd,
          k.dev,
          this.member(channel.channel_id),
          JSON.stringify(channel),
          leaseMs,
          this.deviceGraceMs,
        )) === 1,
      () => !wasOnline,
    );
  }

  async remove(channelId: string): Promise<void> {
    const uid = this.uidOf.get(channelId);
    if (uid === undefined) return;
    this.uidOf.delete(channelId);
    this.mine.get(uid)?.delete(channelId);
    if (this.mine.get(uid)?.size === 0) this.mine.delete(uid);
    const k = this.keys(uid);
    await this.orFallback(
      async () => void (await this.redis.imRemove(k.ch, k.chd, this.member(channelId))),
      () => undefined,
    );
  }

  async updateDevice(uid: string, deviceId: string, patch: { focused?: boolean; need?: Need }): Promise<void> {
    const devices = this.devices.get(uid) ?? new Map<string, DeviceState>();
    const known = devices.get(deviceId) ?? {};
    devices.set(deviceId, {
      ...known,
      ...(patch.focused !== undefined ? { focused: patch.focused } : {}),
      ...(patch.need ? { need: patch.need } : {}),
    });
    this.devices.set(uid, devices);
    const fields = deviceFields(deviceId, patch);
    if (fields.length === 0) return;
    await this.orFallback(
      async () => void (await this.redis.imUpdateDevice(this.keys(uid).dev, ...fields, this.deviceGraceMs)),
      () => undefined,
    );
  }

  channels(uid: string): Promise<ChannelState[]> {
    const k = this.keys(uid);
    return this.orFallback(
      async () => {
        const [data, fields] = await this.redis.imChannels(k.ch, k.chd, k.dev);
        const device = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) device.set(fields[i]!, fields[i + 1]!);
        return data.flatMap((json) => {
          if (json === null) return [];
          const channel = JSON.parse(json) as Channel;
          const focused = device.get(`f:${channel.device_id}`);
          const need = device.get(`n:${channel.device_id}`);
          return [
            {
              ...channel,
              focused: focused === undefined ? true : focused === '1',
              need: need === undefined ? null : (JSON.parse(need) as Need),
            },
          ];
        });
      },
      () =>
        this.liveLeases(uid).map(({ channel }) => {
          const d = this.devices.get(uid)?.get(channel.device_id);
          return { ...channel, focused: d?.focused ?? true, need: d?.need ?? null };
        }),
    );
  }

  online(uids: readonly string[]): Promise<Set<string>> {
    if (uids.length === 0) return Promise.resolve(new Set());
    return this.orFallback(
      async () => {
        const counts = await this.redis.imOnline(uids.length, ...uids.map((uid) => this.keys(uid).ch));
        return new Set(uids.filter((_uid, i) => (counts[i] ?? 0) > 0));
      },
      () => new Set(uids.filter((uid) => this.liveLeases(uid).length > 0)),
    );
  }

  /** Answers given from this node's own channels because Redis could not be asked. */
  get fallbackCount(): number {
    return this.fallbacks;
  }

  get status(): string {
    return this.redis.status;
  }

  async close(): Promise<void> {
    this.mine.clear();
    this.uidOf.clear();
    this.devices.clear();
    await closeRedis(this.redis);
  }

  private keys(uid: string): { ch: string; chd: string; dev: string } {
    const p = this.options.prefix;
    return { ch: `${p}ch:${uid}`, chd: `${p}chd:${uid}`, dev: `${p}dev:${uid}` };
  }

  private member(channelId: string): string {
    return `${this.options.nodeId}/${channelId}`;
  }

  private liveLeases(uid: string): Lease[] {
    const now = this.now();
    return [...(this.mine.get(uid)?.values() ?? [])].filter((l) => l.expiresAt > now);
  }

  private async orFallback<T>(work: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.fallbacks++;
      this.options.logger?.debug({ err }, 'redis presence unavailable; answering from this node');
      return fallback();
    }
  }

  /** Forget expired leases, and device states of users without a live lease, at most once a minute. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [uid, leases] of this.mine) {
      for (const [id, lease] of leases) {
        if (lease.expiresAt > now) continue;
        leases.delete(id);
        this.uidOf.delete(id);
      }
      if (leases.size === 0) this.mine.delete(uid);
    }
    for (const uid of this.devices.keys()) if (!this.mine.has(uid)) this.devices.delete(uid);
  }

  /** Redis is (back) up: it may have restarted empty, so write what this node knows again. */
  private onReady(): void {
    if (!this.everReady) {
      this.everReady = true;
      return;
    }
    const restore = async (): Promise<number> => {
      // Device states first: a channel that shows up must show its device's focus and view.
      for (const [uid, devices] of this.devices) {
        for (const [device, state] of devices) {
          const fields = deviceFields(device, state);
          if (fields.length > 0) await this.redis.imUpdateDevice(this.keys(uid).dev, ...fields, this.deviceGraceMs);
        }
      }
      let restored = 0;
      for (const [uid, leases] of this.mine) {
        const k = this.keys(uid);
        for (const [id, { channel, expiresAt }] of leases) {
          const left = expiresAt - this.now();
          if (left <= 0) continue;
          await this.redis.imUpsert(
            k.ch,
            k.chd,
            k.dev,
            this.member(id),
            JSON.stringify(channel),
            left,
            this.deviceGraceMs,
          );
          restored++;
        }
      }
      return restored;
    };
    restore().then(
      (channels) => this.options.logger?.info({ channels }, 'presence restored into redis'),
      (err: unknown) => this.options.logger?.warn({ err }, 'presence restore failed; leases refresh on their own'),
    );
  }
}

function deviceFields(deviceId: string, state: DeviceState): string[] {
  const fields: string[] = [];
  if (state.focused !== undefined) fields.push(`f:${deviceId}`, state.focused ? '1' : '0');
  if (state.need) fields.push(`n:${deviceId}`, JSON.stringify(state.need));
  return fields;
}
