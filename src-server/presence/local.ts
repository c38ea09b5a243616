import type { Need } from '../../src-shared/protocol';
import type { Channel, ChannelState, PresenceDirectory } from './types';

interface DeviceState {
  focused: boolean;
  need: Need | null;
  /** A device state may be recorded just before its channel opens; the sweep spares fresh ones. */
  touched_at: number;
}

/**
 * In-process presence: channel leases expire lazily on read, and are swept at most once a minute.
 * Leases are indexed by user, so a lookup costs the user's own channels, not every connection.
 */
export class LocalPresence implements PresenceDirectory {
  private readonly leases = new Map<string, { channel: Channel; expires_at: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly devices = new Map<string, DeviceState>();
  private lastSweep = 0;

  constructor(private readonly now: () => number) {}

  upsert(channel: Channel, leaseMs: number): Promise<boolean> {
    this.sweep();
    const now = this.now();
    const wasOnline = this.live(channel.uid, now).length > 0;
    this.drop(channel.channel_id);
    this.leases.set(channel.channel_id, { channel, expires_at: now + leaseMs });
    let ids = this.byUser.get(channel.uid);
    if (!ids) this.byUser.set(channel.uid, (ids = new Set()));
    ids.add(channel.channel_id);
    return Promise.resolve(!wasOnline);
  }

  remove(channelId: string): Promise<void> {
    this.drop(channelId);
    return Promise.resolve();
  }

  updateDevice(uid: string, deviceId: string, patch: { focused?: boolean; need?: Need }): Promise<void> {
    const key = deviceKey(uid, deviceId);
    const state = this.devices.get(key) ?? { focused: true, need: null };
    this.devices.set(key, {
      focused: patch.focused ?? state.focused,
      need: patch.need ?? state.need,
      touched_at: this.now(),
    });
    return Promise.resolve();
  }

  channels(uid: string): Promise<ChannelState[]> {
    const out = this.live(uid, this.now()).map((channel) => {
      const device = this.devices.get(deviceKey(uid, channel.device_id));
      return { ...channel, focused: device?.focused ?? true, need: device?.need ?? null };
    });
    return Promise.resolve(out);
  }

  online(uids: readonly string[]): Promise<Set<string>> {
    const now = this.now();
    return Promise.resolve(new Set(uids.filter((uid) => this.live(uid, now).length > 0)));
  }

  close(): Promise<void> {
    this.leases.clear();
    this.byUser.clear();
    this.devices.clear();
    return Promise.resolve();
  }

  /** A user's unexpired channels. */
  private live(uid: string, now: number): Channel[] {
    const out: Channel[] = [];
    for (const id of this.byUser.get(uid) ?? []) {
      const lease = this.leases.get(id);
      if (lease && lease.expires_at > now) out.push(lease.channel);
    }
    return out;
  }

  private drop(channelId: string): void {
    const lease = this.leases.get(channelId);
    if (!lease) return;
    this.leases.delete(channelId);
    const ids = this.byUser.get(lease.channel.uid);
    ids?.delete(channelId);
    if (ids?.size === 0) this.byUser.delete(lease.channel.uid);
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const liveDevices = new Set<string>();
    for (const [id, lease] of [...this.leases]) {
      if (lease.expires_at <= now) this.drop(id);
      else liveDevices.add(deviceKey(lease.channel.uid, lease.channel.device_id));
    }
    for (const [key, state] of this.devices) {
      if (!liveDevices.has(key) && now - state.touched_at >= SWEEP_EVERY_MS) this.devices.delete(key);
    }
  }
}

const SWEEP_EVERY_MS = 60_000;

function deviceKey(uid: string, deviceId: string): string {
  return `${uid}\n${deviceId}`;
}
