import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { IpcTopic } from '../../src-shared/ipc/contract';
import {
  IPC_CHANNELS,
  checkSender,
  forbidden,
  parseInvoke,
  parseTopic,
  toIpcErrorShape,
  type InvokeReply,
  type SenderFacts,
} from '../shell/ipc-guard';
import type { Logger } from '../ports/logger';
import type { CoreLike } from '../shell/core-adapter';

/** What the bridge needs from the client core: the bridges' never-rejecting call, and the bus. */
export type IpcCore = CoreLike;

type IpcMainLike = Pick<IpcMain, 'handle' | 'on' | 'removeHandler' | 'removeListener'>;
type AppWebContents = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once'>;

/**
 * The one wrapper around ipcMain (VS Code's `validatedIpcMain`): every inbound message has its
 * channel, sender webContents, frame and origin checked, then its arguments validated against
 * the contract, before anything reaches the core. Raw ipcMain is used nowhere else
 * (tests/electron/ipc-usage.test.ts keeps it so).
 */
export class IpcBridge {
  private readonly windows = new Map<number, { contents: AppWebContents; topics: Map<IpcTopic, () => void> }>();
  private readonly trusted = new Set<number>();
  /** Shell-originated events (deep links, notification clicks) wait here for a subscriber. */
  private readonly pending = new Map<IpcTopic, unknown>();

  constructor(
    private readonly ipcMain: IpcMainLike,
    private readonly core: IpcCore,
    private readonly log: Logger,
  ) {
    ipcMain.handle(IPC_CHANNELS.invoke, this.onInvoke);
    ipcMain.on(IPC_CHANNELS.subscribe, this.onSubscribe);
    ipcMain.on(IPC_CHANNELS.unsubscribe, this.onUnsubscribe);
  }

  /** Declares a webContents as an app window; only these may talk to the core. */
  trust(contents: AppWebContents): void {
    this.trusted.add(contents.id);
    this.windows.set(contents.id, { contents, topics: new Map() });
    contents.once('destroyed', () => this.forget(contents.id));
  }

  /**
   * Sends a topic event that originates in the shell rather than on the core's bus. If no window
   * listens yet (a deep link that started the app), the latest one is held until one subscribes.
   */
  emit(topic: IpcTopic, payload: unknown): void {
    let delivered = false;
    for (const win of this.windows.values()) {
      if (win.topics.has(topic) && !win.contents.isDestroyed()) {
        win.contents.send(IPC_CHANNELS.event, topic, payload);
        delivered = true;
      }
    }
    if (!delivered) this.pending.set(topic, payload);
  }

  dispose(): void {
    this.ipcMain.removeHandler(IPC_CHANNELS.invoke);
    this.ipcMain.removeListener(IPC_CHANNELS.subscribe, this.onSubscribe);
    this.ipcMain.removeListener(IPC_CHANNELS.unsubscribe, this.onUnsubscribe);
    for (const id of [...this.windows.keys()]) this.forget(id);
  }

  private readonly onInvoke = async (
    event: IpcMainInvokeEvent,
    method: unknown,
    args: unknown,
  ): Promise<InvokeReply> => {
    const verdict = this.check(IPC_CHANNELS.invoke, event);
    if (!verdict.ok) return { ok: false, error: forbidden(verdict.reason) };
    const parsed = parseInvoke(method, args);
    if (!parsed.ok) return parsed;
    try {
      return await this.core.call(parsed.method, parsed.args);
    } catch (err) {
      this.log.error(
        { method: parsed.method, err: err instanceof Error ? err.message : String(err) },
        'core call threw',
      );
      return { ok: false, error: toIpcErrorShape(err) };
    }
  };

  private readonly onSubscribe = (event: IpcMainEvent, rawTopic: unknown): void => {
    const topic = parseTopic(rawTopic);
    if (!this.check(IPC_CHANNELS.subscribe, event).ok || topic === null) return;
    const win = this.windows.get(event.sender.id);
    if (!win || win.topics.has(topic)) return;
    const contents = win.contents;
    win.topics.set(
      topic,
      this.core.subscribe(topic, (payload: unknown) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, topic, payload);
      }),
    );
    if (this.pending.has(topic)) {
      const payload = this.pending.get(topic);
      this.pending.delete(topic);
      contents.send(IPC_CHANNELS.event, topic, payload);
    }
  };

  private readonly onUnsubscribe = (event: IpcMainEvent, rawTopic: unknown): void => {
    const topic = parseTopic(rawTopic);
    if (!this.check(IPC_CHANNELS.unsubscribe, event).ok || topic === null) return;
    const win = this.windows.get(event.sender.id);
    win?.topics.get(topic)?.();
    win?.topics.delete(topic);
  };

  private check(
    channel: string,
    event: IpcMainEvent | IpcMainInvokeEvent,
  ): { ok: true } | { ok: false; reason: string } {
    const frame = event.senderFrame;
    const facts: SenderFacts = {
      channel,
      frameUrl: frame?.url ?? null,
      isMainFrame: frame !== null && frame.parent === null,
      webContentsId: event.sender.id,
    };
    const verdict = checkSender(facts, this.trusted);
    if (!verdict.ok) this.log.warn({ channel, reason: verdict.reason, url: facts.frameUrl }, 'refused IPC message');
    return verdict;
  }

  private forget(id: number): void {
    const win = this.windows.get(id);
    if (win) for (const unsubscribe of win.topics.values()) unsubscribe();
    this.windows.delete(id);
    this.trusted.delete(id);
  }
}
