import type { Need } from '../../src-shared/protocol';
import type { Channel, ChannelState, PresenceDirectory } from './types';

interface DeviceState {
  focused: boolean;
  need: Need | null;
  /** A device state may be recorded just before its channel opens; the sweep spares fresh ones. */
  touched_at: number;
}

/** In-process presence: channel leases expire lazily on read, and are swept at most once a minute. */
export class LocalPresence implements PresenceDirectory {
  private readonly leases = new Map<string, { channel: Channel; expires_at: number }>();
  private readonly devices = new Map<string, DeviceState>();
  private lastSweep = 0;

  constructor(private readonly now: () => number) {}

  upsert(channel: Channel, leaseMs: number): Promise<boolean> {
    this.sweep();
    const now = this.now();
    let wasOnline = false;
    for (const lease of this.leases.values()) {
      if (lease.channel.uid === channel.uid && lease.expires_at > now) wasOnline = true;
    }
    this.leases.set(channel.channel_id, { channel, expires_at: now + leaseMs });
    return Promise.resolve(!wasOnline);
  }

  remove(channelId: string): Promise<void> {
    this.leases.delete(channelId);
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
    const now = this.now();
    const out: ChannelState[] = [];
    for (const { channel, expires_at } of this.leases.values()) {
      if (channel.uid !== uid || expires_at <= now) continue;
      const device = this.devices.get(deviceKey(uid, channel.device_id));
      out.push({ ...channel, focused: device?.focused ?? true, need: device?.need ?? null });
    }
    return Promise.resolve(out);
  }

  online(uids: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(uids);
    const now = this.now();
    const out = new Set<string>();
    for (const { channel, expires_at } of this.leases.values()) {
      if (expires_at > now && wanted.has(channel.uid)) out.add(channel.uid);
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    this.leases.clear();
    this.devices.clear();
    return Promise.resolve();
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const liveDevices = new Set<string>();
    for (const [id, lease] of this.leases) {
      if (lease.expires_at <= now) this.leases.delete(id);
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
