import {
  BridgeClientFrame,
  IPC_METHODS,
  isIpcMethod,
  isIpcTopic,
  type BridgeServerFrame,
  type IpcErrorShape,
  type IpcMethod,
  type IpcTopic,
  type IpcTopicPayload,
} from '../../src-shared/ipc';
import { describeIssues } from '../../src-shared/protocol';

/** What the bridge needs from the client core: `call` never rejects, errors come back as data. */
export interface BridgeTarget {
  call(method: IpcMethod, args: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: IpcErrorShape }>;
  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void;
}

const error = (code: string, message: string): IpcErrorShape => ({
  code,
  message,
  temporary: false,
  retry_after_ms: null,
});

/**
 * One renderer's session on the bridge: every inbound frame is parsed and checked against the
 * bridge schema, every call's method and arguments against the contract, before the core sees it.
 * Owns its topic subscriptions; `dispose` drops them all.
 */
export class BridgeSession {
  private readonly subscriptions = new Map<IpcTopic, () => void>();
  private disposed = false;

  constructor(
    private readonly target: BridgeTarget,
    private readonly send: (frame: BridgeServerFrame) => void,
  ) {}

  /** Handle one text frame from the page. */
  async receive(text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.send({ kind: 'error', id: null, error: error('BAD_PACKET', 'frame is not JSON') });
      return;
    }
    const parsed = BridgeClientFrame.safeParse(raw);
    if (!parsed.success) {
      this.send({ kind: 'error', id: idOf(raw), error: error('BAD_PACKET', describeIssues(parsed.error)) });
      return;
    }
    const frame = parsed.data;
    switch (frame.kind) {
      case 'invoke':
        return this.invoke(frame.id, frame.method, frame.args);
      case 'subscribe':
        return this.subscribe(frame.topic);
      case 'unsubscribe':
        this.subscriptions.get(frame.topic as IpcTopic)?.();
        this.subscriptions.delete(frame.topic as IpcTopic);
        return;
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
  }

  private async invoke(id: number, method: string, args: unknown): Promise<void> {
    if (!isIpcMethod(method)) {
      this.send({ kind: 'error', id, error: error('UNKNOWN_TYPE', `no such method: ${method}`) });
      return;
    }
    const checked = IPC_METHODS[method].args.safeParse(args ?? {});
    if (!checked.success) {
      this.send({ kind: 'error', id, error: error('INVALID_ARGUMENT', `${method}: ${describeIssues(checked.error)}`) });
      return;
    }
    const outcome = await this.target.call(method, checked.data);
    if (this.disposed) return;
    this.send(
      outcome.ok ? { kind: 'result', id, result: outcome.result } : { kind: 'error', id, error: outcome.error },
    );
  }

  private subscribe(topic: string): void {
    if (!isIpcTopic(topic)) {
      this.send({ kind: 'error', id: null, error: error('UNKNOWN_TYPE', `no such topic: ${topic}`) });
      return;
    }
    if (this.subscriptions.has(topic)) return;
    this.subscriptions.set(
      topic,
      this.target.subscribe(topic, (payload) => {
        if (!this.disposed) this.send({ kind: 'event', topic, payload });
      }),
    );
  }
}

function idOf(raw: unknown): number | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) ? id : null;
}
