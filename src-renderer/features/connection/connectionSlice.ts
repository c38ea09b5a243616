import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ChannelState } from '../../../src-shared/ipc';
import type { RootState } from '../../app/store';

interface ConnectionState {
  channel: ChannelState | null;
  /** The contract's own transport (the browser-mode bridge); a preload is always up. */
  bridge: 'up' | 'down';
}

const initialState: ConnectionState = { channel: null, bridge: 'up' };

const connectionSlice = createSlice({
  name: 'connection',
  initialState,
  reducers: {
    /** `channel.state` from the bus. */
    channelStateChanged(state, action: PayloadAction<ChannelState>) {
      // Seeding from diagnostics may race a live topic: keep the newer one.
      if (!state.channel || action.payload.since >= state.channel.since) state.channel = action.payload;
    },
    bridgeStateChanged(state, action: PayloadAction<'up' | 'down'>) {
      state.bridge = action.payload;
    },
  },
});

export const { channelStateChanged, bridgeStateChanged } = connectionSlice.actions;
export default connectionSlice.reducer;

export type Banner =
  | { kind: 'bridge' }
  | { kind: 'offline' }
  | { kind: 'connecting' }
  | { kind: 'backoff'; seconds: number }
  | { kind: 'poll' }
  | { kind: 'stopped'; error: ChannelState['last_error'] };

export const selectChannel = (s: RootState) => s.connection.channel;

/** What the connection banner says at `now`, or null when all is well. Pure. */
export function bannerFor(connection: ConnectionState, now: number): Banner | null {
  if (connection.bridge === 'down') return { kind: 'bridge' };
  const c = connection.channel;
  if (!c) return null;
  switch (c.status) {
    case 'online':
      return c.transport === 'poll' ? { kind: 'poll' } : null;
    case 'offline':
      return { kind: 'offline' };
    case 'connecting':
      return { kind: 'connecting' };
    case 'backoff':
      return { kind: 'backoff', seconds: c.retry_at === null ? 0 : Math.max(0, Math.ceil((c.retry_at - now) / 1000)) };
    case 'stopped':
      return { kind: 'stopped', error: c.last_error };
    case 'signed_out':
      return null;
  }
}
