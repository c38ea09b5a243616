import { EventEmitter } from 'node:events';
import type { IpcTopic } from '../../src-shared/ipc/contract';
import type { InvokeReply } from '../../src-main/shell/ipc-channels';
import type { Logger } from '../../src-main/ports/logger';

/**
 * Doubles for the few parts of Electron the shell touches. Each records what the shell did, so
 * tests assert on behaviour rather than on calls into a mocking library.
 */
type Fn = (...args: never[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Fn>();
  readonly listeners = new Map<string, Set<Fn>>();

  handle(channel: string, fn: Fn): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, fn: Fn): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(fn);
    return this;
  }
  removeListener(channel: string, fn: Fn): this {
    this.listeners.get(channel)?.delete(fn);
    return this;
  }
  /** What ipcRenderer.invoke would produce on the main side. */
  invoke(channel: string, event: FakeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve((handler as (...a: unknown[]) => unknown)(event, ...args));
  }
  send(channel: string, event: FakeEvent, ...args: unknown[]): void {
    for (const fn of this.listeners.get(channel) ?? []) (fn as (...a: unknown[]) => unknown)(event, ...args);
  }
}

export class FakeWebContents extends EventEmitter {
  readonly sent: unknown[][] = [];
  private destroyed = false;
  readonly mainFrame: FakeFrame;
  constructor(
    readonly id: number,
    url = 'app://merchant-im/index.html',
  ) {
    super();
    this.mainFrame = { url, parent: null };
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  /** Topic events this webContents received from main. */
  events(): [string, unknown][] {
    return this.sent.filter((s) => s[0] === 'merchant-im:event').map((s) => [s[1] as string, s[2]]);
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}
export interface FakeEvent {
  sender: FakeWebContents;
  senderFrame: FakeFrame | null;
}

export const fromMainFrame = (contents: FakeWebContents): FakeEvent => ({
  sender: contents,
  senderFrame: contents.mainFrame,
});

/** A client core double: records calls, answers from a table, publishes topics on demand. */
export class FakeCore {
  readonly calls: [string, unknown][] = [];
  readonly subscribers = new Map<string, Set<(payload: unknown) => void>>();
  constructor(
    private readonly answer: (method: string, args: unknown) => InvokeReply = () => ({ ok: true, result: {} }),
  ) {}

  call(method: string, args: unknown): Promise<InvokeReply> {
    this.calls.push([method, args]);
    return Promise.resolve(this.answer(method, args));
  }
  subscribe<T extends IpcTopic>(topic: T, listener: (payload: never) => void): () => void {
    let set = this.subscribers.get(topic);
    if (!set) this.subscribers.set(topic, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
  publish(topic: IpcTopic, payload: unknown): void {
    for (const l of this.subscribers.get(topic) ?? []) l(payload);
  }
  subscriberCount(topic: IpcTopic): number {
    return this.subscribers.get(topic)?.size ?? 0;
  }
}

export class RecordingLogger implements Logger {
  readonly entries: { level: string; obj: object; msg?: string }[] = [];
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
}
