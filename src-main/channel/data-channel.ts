import type { Agent } from 'node:http';
import type { ChannelState } from '../../src-shared/ipc';
import type { Cursor, PollResult, PushBody, RequestBody, RequestResult, RequestType } from '../../src-shared/protocol';
import type { ClientConfig } from '../core/config';
import { ClientError, errorShape, toErrorShape } from '../core/errors';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { NetworkMonitor } from '../ports/network';
import type { PowerMonitor } from '../ports/power';
import type { Random } from '../ports/random';
import type { ConnectParams, Connection, ConnectionEvents } from './connection';
import type { NeedStack } from './need-stack';
import { PollConnection } from './poll-connection';
import {
  FRESH_HISTORY,
  decideReconnect,
  historyAfterOnline,
  isStopFailure,
  isTokenExpiry,
  type ConnectFailure,
  type ReconnectCause,
  type ReconnectHistory,
} from './reconnect-policy';
import { afterProbe, afterWsBlocked, afterWsEnded, probeDelayMs, type TransportMemoryFile } from './transport-memory';
import { ConnectError, WsConnection } from './ws-connection';

/** What the channel needs from the rest of the core. */
export interface DataChannelHost {
  serverUrl: string;
  deviceId: string;
  token(): string;
  /** Exchange the (possibly expired) token for a fresh one; throws a ClientError when it cannot. */
  refreshToken(): Promise<void>;
  /** The durable inbox cursor. */
  cursor(): Cursor | null;
  /** Whether the app is in the foreground (presence, seed 3.2). */
  focused(): boolean;
  /** A proxy agent for the server, when the host has one (system proxy). */
  agentFor?: ((url: string) => Promise<Agent | undefined>) | undefined;
  /** A connection just became current (initial, reconnect or upgrade): resume from the cursor now. */
  onConnected(connection: Connection): void;
  onInboxPush(body: PushBody<'inbox'>): void;
  onPollPage(page: PollResult): Promise<void>;
  onTyping(body: PushBody<'typing'>): void;
  onPresence(body: PushBody<'presence'>): void;
  onState(state: ChannelState): void;
}

export interface DataChannelPorts {
  clock: Clock;
  random: Random;
  network: NetworkMonitor;
  power: PowerMonitor;
  log: Logger;
}

/**
 * One logical channel to the server over WebSocket or long-poll (seed 2.1, 4.1): connects,
 * falls back, upgrades, keeps the request stack's top on the server, and reconnects according to
 * the pure reconnection policy. Resume itself (cursor, pages) is the host's job in `onConnected`.
 */
export class DataChannel {
  private conn: Connection | null = null;
  private probe: Connection | null = null;
  private history: ReconnectHistory = FRESH_HISTORY;
  private timer: TimerHandle | null = null;
  private probeTimer: TimerHandle | null = null;
  private generation = 0;
  private running = false;
  private current: ChannelState;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly host: DataChannelHost,
    private readonly ports: DataChannelPorts,
    private readonly config: ClientConfig,
    private readonly memory: TransportMemoryFile,
    private readonly needs: NeedStack,
  ) {
    this.current = {
      status: 'connecting',
      transport: null,
      retry_at: null,
      last_error: null,
      since: ports.clock.now(),
    };
  }

  state(): ChannelState {
    return { ...this.current };
  }

  connection(): Connection | null {
    return this.conn;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe.push(
      this.ports.network.onChange((online) => this.onNetwork(online)),
      this.ports.power.onEvent((event) => {
        if (event === 'resume') this.onWake();
      }),
      this.needs.onChange((top) => {
        if (top && this.conn) this.fireAndForget('need', { need: top });
      }),
    );
    if (this.ports.network.isOnline()) void this.attempt();
    else this.setState({ status: 'offline', transport: null, retry_at: null });
  }

  /** Stop for good (sign-out, quit): closes everything, cancels every timer. */
  stop(): void {
    this.running = false;
    this.generation++;
    for (const off of this.unsubscribe.splice(0)) off();
    this.clearTimers();
    this.conn?.close();
    this.probe?.close();
    this.conn = null;
    this.probe = null;
  }

  /** A request over whichever transport is current; OFFLINE when there is none. */
  request<T extends RequestType>(type: T, body: RequestBody<T>, timeoutMs?: number): Promise<RequestResult<T>> {
    if (!this.conn)
      return Promise.reject(
        new ClientError(
          'OFFLINE',
          'not connected to the server',
          this.current.retry_at === null ? null : Math.max(0, this.current.retry_at - this.ports.clock.now()),
        ),
      );
    return this.conn.request(type, body, timeoutMs);
  }

  /** Requests whose failure only matters to the log (presence, need, typing). */
  fireAndForget<T extends RequestType>(type: T, body: RequestBody<T>): void {
    this.request(type, body).catch((err: unknown) =>
      this.ports.log.warn({ type, err: toErrorShape(err) }, 'request failed'),
    );
  }

  /** The user asked to retry now (e.g. after fixing the network): skip the backoff. */
  reconnectNow(): void {
    if (!this.running || this.conn || this.current.status === 'connecting') return;
    this.ports.clock.clearTimeout(this.timer);
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    this.ports.clock.clearTimeout(this.timer);
    this.timer = null;
    const generation = ++this.generation;
    this.setState({ status: 'connecting', transport: null, retry_at: null });
    const memory = this.memory.get(this.host.serverUrl);
    let wsFailure: ConnectFailure | null = null;
    let connection: Connection | null = null;
    const params = await this.params(() => connection);
    if (generation !== this.generation) return;

    if (memory.preferred === 'ws') {
      try {
        connection = (await WsConnection.open(params)).connection;
      } catch (err) {
        wsFailure = failureOf(err);
        // Credentials and version problems are not the transport's fault: no fallback.
        if (isStopFailure(wsFailure) || isTokenExpiry(wsFailure)) return this.lost(generation, wsFailure);
      }
      if (generation !== this.generation) return connection?.close();
    }
    if (!connection) {
      try {
        connection = await PollConnection.open(params);
      } catch (err) {
        if (generation !== this.generation) return;
        return this.lost(generation, failureOf(err));
      }
      if (generation !== this.generation) return connection.close();
      if (wsFailure) {
        this.ports.log.warn(
          { server: this.host.serverUrl, reason: wsFailure.message },
          'WebSocket failed where long-poll works; using long-poll',
        );
        this.memory.set(this.host.serverUrl, afterWsBlocked(memory));
      }
    }
    this.attach(connection);
  }

  private attach(connection: Connection): void {
    this.conn = connection;
    this.setState({ status: 'online', transport: connection.transport, retry_at: null, last_error: null });
    if (connection.transport === 'poll') this.scheduleProbe();
    const top = this.needs.top();
    // Hello already carried the need on WebSocket; long-poll tells it with its first request.
    if (top && connection.transport === 'poll') this.fireAndForget('need', { need: top });
    this.host.onConnected(connection);
  }

  private onConnectionClosed(connection: Connection, failure: ConnectFailure): void {
    if (connection === this.probe) {
      this.probe = null;
      return;
    }
    if (connection !== this.conn) return;
    this.conn = null;
    this.ports.clock.clearTimeout(this.probeTimer);
    const lived = this.ports.clock.now() - connection.openedAt;
    // A connection that stayed up long enough ends the error streak; one that died young continues it.
    this.history = historyAfterOnline(this.history, lived, this.config.reconnect);
    if (connection.transport === 'ws') {
      this.memory.set(
        this.host.serverUrl,
        afterWsEnded(this.memory.get(this.host.serverUrl), lived, this.config.transport),
      );
    }
    this.ports.log.warn(
      {
        transport: connection.transport,
        code: failure.code,
        close_code: failure.close_code ?? null,
        message: failure.message,
      },
      'connection lost',
    );
    this.lost(this.generation, failure);
  }

  private lost(generation: number, failure: ConnectFailure): void {
    if (generation !== this.generation || !this.running) return;
    this.decide({ kind: 'failure', failure }, failure);
  }

  private decide(cause: ReconnectCause, failure: ConnectFailure | null): void {
    const { clock } = this.ports;
    const decision = decideReconnect({
      history: this.history,
      cause,
      networkOnline: this.ports.network.isOnline(),
      now: clock.now(),
      random: this.ports.random,
      config: this.config.reconnect,
    });
    const lastError = failure
      ? {
          code: failure.code,
          message: failure.message,
          temporary: failure.temporary,
          retry_after_ms: failure.retry_after_ms,
        }
      : this.current.last_error;
    switch (decision.action) {
      case 'retry':
        this.history = decision.history;
        this.setState({ status: 'backoff', transport: null, retry_at: decision.retryAt, last_error: lastError });
        clock.clearTimeout(this.timer);
        this.timer = clock.setTimeout(() => void this.attempt(), decision.delayMs);
        return;
      case 'wait_for_network':
        this.setState({ status: 'offline', transport: null, retry_at: null, last_error: lastError });
        return;
      case 'refresh_token':
        this.setState({ status: 'connecting', transport: null, retry_at: null, last_error: lastError });
        void this.refreshThenAttempt(this.generation);
        return;
      case 'stop':
        this.setState({ status: 'stopped', transport: null, retry_at: null, last_error: lastError });
        return;
    }
  }

  private async refreshThenAttempt(generation: number): Promise<void> {
    try {
      await this.host.refreshToken();
    } catch (err) {
      if (generation !== this.generation) return;
      const failure = toErrorShape(err);
      // A token that cannot be refreshed any more means signing in again.
      const stop = failure.code === 'TOKEN_EXPIRED' ? { ...failure, code: 'UNAUTHENTICATED' } : failure;
      return this.lost(generation, stop);
    }
    if (generation === this.generation && this.running) void this.attempt();
  }

  private onNetwork(online: boolean): void {
    if (!this.running) return;
    if (!online) {
      if (this.current.status === 'backoff') {
        this.ports.clock.clearTimeout(this.timer);
        this.setState({ status: 'offline', transport: null, retry_at: null });
      }
      // A live connection is kept: if the network really is gone its heartbeat will say so.
      this.conn?.checkAlive();
      return;
    }
    if (this.current.status === 'offline' || this.current.status === 'backoff')
      this.decide({ kind: 'network_returned' }, null);
  }

  private onWake(): void {
    if (!this.running) return;
    if (this.conn) {
      this.conn.checkAlive();
      return;
    }
    if (this.current.status === 'offline' || this.current.status === 'backoff') this.decide({ kind: 'resume' }, null);
  }

  /** While on long-poll, try a WebSocket in the background and move onto it if it stays healthy. */
  private scheduleProbe(): void {
    this.ports.clock.clearTimeout(this.probeTimer);
    const delay = probeDelayMs(this.memory.get(this.host.serverUrl), this.config.transport);
    this.probeTimer = this.ports.clock.setTimeout(() => void this.runProbe(), delay);
  }

  private async runProbe(): Promise<void> {
    const generation = this.generation;
    const poll = this.conn;
    if (!poll || poll.transport !== 'poll' || this.probe) return;
    let probe: Connection | null = null;
    const ok = await (async () => {
      try {
        const params = await this.params(() => probe);
        probe = (await WsConnection.open(params)).connection;
        this.probe = probe;
        await new Promise<void>((resolve) => {
          this.probeTimer = this.ports.clock.setTimeout(resolve, this.config.transport.probeHoldMs);
        });
        // Still alive after the hold, and still carrying traffic both ways.
        if (this.probe !== probe) return false;
        await probe.request('ping', { t: this.ports.clock.now() });
        return this.probe === probe;
      } catch {
        return false;
      }
    })();
    this.memory.set(this.host.serverUrl, afterProbe(this.memory.get(this.host.serverUrl), ok));
    if (!ok || generation !== this.generation || this.conn !== poll || !probe) {
      (probe as Connection | null)?.close();
      this.probe = null;
      if (this.conn === poll && generation === this.generation) this.scheduleProbe();
      return;
    }
    this.ports.log.info({ server: this.host.serverUrl }, 'WebSocket works again; moving off long-poll');
    this.probe = null;
    this.conn = null;
    poll.close();
    this.attach(probe);
  }

  private async params(self: () => Connection | null): Promise<ConnectParams> {
    const events: ConnectionEvents = {
      onInboxPush: (body) => this.host.onInboxPush(body),
      onPollPage: (page) => this.host.onPollPage(page),
      onTyping: (body) => this.host.onTyping(body),
      onPresence: (body) => this.host.onPresence(body),
      onClosed: (failure) => {
        const c = self();
        if (c) this.onConnectionClosed(c, failure);
      },
    };
    return {
      serverUrl: this.host.serverUrl,
      token: this.host.token(),
      deviceId: this.host.deviceId,
      focused: this.host.focused(),
      need: this.needs.top(),
      cursor: () => this.host.cursor(),
      clock: this.ports.clock,
      transport: this.config.transport,
      heartbeat: this.config.heartbeat,
      requestTimeoutMs: this.config.sync.requestTimeoutMs,
      pageSize: this.config.sync.pageSize,
      agent: await this.host.agentFor?.(this.host.serverUrl),
      events,
    };
  }

  private setState(patch: Partial<ChannelState>): void {
    const next = { ...this.current, ...patch };
    if (next.status !== this.current.status || next.transport !== this.current.transport)
      next.since = this.ports.clock.now();
    this.current = next;
    this.host.onState(this.state());
  }

  private clearTimers(): void {
    for (const t of [this.timer, this.probeTimer]) this.ports.clock.clearTimeout(t);
    this.timer = this.probeTimer = null;
  }
}

function failureOf(err: unknown): ConnectFailure {
  if (err instanceof ConnectError) return err.failure;
  return err instanceof ClientError
    ? err.toShape()
    : errorShape('NETWORK', err instanceof Error ? err.message : String(err));
}
