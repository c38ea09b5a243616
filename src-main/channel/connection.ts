import type { Agent } from 'node:http';
import type {
  Cursor,
  Need,
  PollResult,
  PushBody,
  RequestBody,
  RequestResult,
  RequestType,
} from '../../src-shared/protocol';
import type { HeartbeatConfig, TransportConfig } from '../core/config';
import type { Clock } from '../ports/clock';
import type { ConnectFailure } from './reconnect-policy';

export type TransportKind = 'ws' | 'poll';

/** What a live connection reports to the channel. */
export interface ConnectionEvents {
  /** Inbox events pushed live (WebSocket). */
  onInboxPush(body: PushBody<'inbox'>): void;
  /** An inbox page (long-poll answer); the next poll waits until this resolves, so it starts from the new cursor. */
  onPollPage(page: PollResult): Promise<void>;
  onTyping(body: PushBody<'typing'>): void;
  onPresence(body: PushBody<'presence'>): void;
  /** The connection ended by itself (not by `close()`): exactly once. */
  onClosed(failure: ConnectFailure): void;
}

/** One live transport connection: request/reply plus events; the channel owns at most one (plus a probe). */
export interface Connection {
  readonly transport: TransportKind;
  /** When the connection proved itself (welcome / first poll answer). */
  readonly openedAt: number;
  request<T extends RequestType>(type: T, body: RequestBody<T>, timeoutMs?: number): Promise<RequestResult<T>>;
  /** Check liveness now (after wake): WebSocket pings at once; a poll is its own heartbeat. */
  checkAlive(): void;
  /** Close on purpose; `onClosed` is not called. */
  close(): void;
}

export interface ConnectParams {
  serverUrl: string;
  token: string;
  deviceId: string;
  focused: boolean;
  need: Need | null;
  /** The durable cursor, read at the moment it is needed. */
  cursor: () => Cursor | null;
  clock: Clock;
  transport: TransportConfig;
  heartbeat: HeartbeatConfig;
  requestTimeoutMs: number;
  pageSize: number;
  agent?: Agent | undefined;
  events: ConnectionEvents;
}
