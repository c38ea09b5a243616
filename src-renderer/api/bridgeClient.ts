import {
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PREFIX,
  IpcError,
  type BridgeClientFrame,
  type BridgeServerFrame,
  type IpcErrorShape,
  type IpcTopic,
  type MerchantImApi,
} from '../../src-shared/ipc';

export interface BridgeOptions {
  /** ws:// URL of the host's bridge socket. */
  url: string;
  /** The per-launch secret the host printed (it reached the page in the URL fragment). */
  secret: string;
  /** Told when the bridge goes down and comes back, so the UI can say so and refresh. */
  onStateChange?: (state: 'up' | 'down') => void;
  WebSocketImpl?: typeof WebSocket;
  /** Delay before reconnecting a lost bridge; doubles up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

/** Close code the host uses for a wrong or missing secret: retrying cannot help. */
export const BRIDGE_REJECTED_CODE = 4401;

const closedError = (message: string): IpcErrorShape => ({
  code: 'BRIDGE_CLOSED',
  message,
  temporary: true,
  retry_after_ms: null,
});

/**
 * The contract over the browser-mode host's local WebSocket. Calls made while the socket is still
 * opening wait for it; calls made while it is down fail at once with BRIDGE_CLOSED (the core's
 * outbox, not this socket, is what keeps messages safe). Topics are re-subscribed on reconnect.
 */
export function createBridgeApi(options: BridgeOptions): MerchantImApi & { close(): void } {
  const Impl = options.WebSocketImpl ?? WebSocket;
  const baseDelay = options.reconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 5_000;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const queued: string[] = [];
  let nextId = 1;
  let socket: WebSocket;
  let closed = false;
  let wasUp = false;
  let delay = baseDelay;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const send = (frame: BridgeClientFrame): boolean => {
    const text = JSON.stringify(frame);
    if (socket.readyState === Impl.OPEN) socket.send(text);
    else if (socket.readyState === Impl.CONNECTING) queued.push(text);
    else return false;
    return true;
  };

  const connect = () => {
    socket = new Impl(options.url, [BRIDGE_PROTOCOL, BRIDGE_SECRET_PREFIX + options.secret]);
    socket.onopen = () => {
      delay = baseDelay;
      for (const topic of listeners.keys())
        socket.send(JSON.stringify({ kind: 'subscribe', topic } satisfies BridgeClientFrame));
      for (const text of queued.splice(0)) socket.send(text);
      if (wasUp) options.onStateChange?.('up');
      wasUp = true;
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      let frame: BridgeServerFrame;
      try {
        frame = JSON.parse(event.data) as BridgeServerFrame;
      } catch {
        return;
      }
      if (frame.kind === 'event') {
        for (const listener of listeners.get(frame.topic) ?? []) {
          try {
            listener(frame.payload);
          } catch (error) {
            console.error(`[merchant-im] listener of ${frame.topic} threw`, error);
          }
        }
        return;
      }
      if (frame.id === null) return;
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      if (frame.kind === 'result') call.resolve(frame.result);
      else call.reject(new IpcError(frame.error));
    };
    socket.onclose = (event: CloseEvent) => {
      for (const call of pending.values())
        call.reject(new IpcError(closedError('The connection to the app host closed.')));
      pending.clear();
      queued.length = 0;
      if (closed) return;
      options.onStateChange?.('down');
      if (event.code === BRIDGE_REJECTED_CODE) return;
      retryTimer = setTimeout(connect, delay);
      delay = Math.min(maxDelay, delay * 2);
    };
  };
  connect();

  return {
    invoke(method, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (!send({ kind: 'invoke', id, method, args })) {
          pending.delete(id);
          reject(new IpcError(closedError('The app host is not reachable.')));
        }
      });
    },
    subscribe(topic: IpcTopic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        send({ kind: 'subscribe', topic });
      }
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => {
        const current = listeners.get(topic);
        if (!current?.delete(fn) || current.size > 0) return;
        listeners.delete(topic);
        send({ kind: 'unsubscribe', topic });
      };
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket.close(1000);
    },
  };
}
