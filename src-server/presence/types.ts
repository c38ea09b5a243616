import type { Need, Role } from '../../src-shared/protocol';

export type TransportKind = 'ws' | 'poll';

/** One live channel of a user: a WebSocket connection, or a device that is long-polling. */
export interface Channel {
  /** Unique per channel: a WebSocket connection id, or `poll:<uid>:<device_id>`. */
  channel_id: string;
  uid: string;
  role: Role;
  merchant_id: string | null;
  device_id: string;
  transport: TransportKind;
}

/** A channel with its device's last reported state (seed 3.2). */
export interface ChannelState extends Channel {
  focused: boolean;
  /** Top of the device's request stack (seed 2.1.2); null until it reports one. */
  need: Need | null;
}

/**
 * The presence port: which users have a live channel, and whether each device is focused and what
 * it shows. Channels are leases: a WebSocket refreshes its lease on every pong, a long-polling device
 * on every poll, so a node that dies takes its channels with it once the leases run out. The local
 * implementation keeps a map; a cluster implementation keeps the same in Redis with TTLs.
 */
export interface PresenceDirectory {
  /** Announce or refresh a channel, live for `leaseMs` from now. True when its user was offline before. */
  upsert(channel: Channel, leaseMs: number): Promise<boolean>;
  remove(channelId: string): Promise<void>;
  /** Record a device's focus and/or view; kept while the device has any live channel. */
  updateDevice(uid: string, deviceId: string, patch: { focused?: boolean; need?: Need }): Promise<void>;
  /** Live channels of a user, with their device state. */
  channels(uid: string): Promise<ChannelState[]>;
  /** Which of these users have at least one live channel. */
  online(uids: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}
