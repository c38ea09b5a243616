import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  IpcArgs,
  IpcMethod,
  IpcResult,
  IpcTopic,
  IpcTopicPayload,
  MerchantImApi,
} from '../../src-shared/ipc/contract';
import { IPC_CHANNELS, type InvokeReply } from '../shell/ipc-channels';

/**
 * The sandboxed preload: exposes exactly `window.merchantIm` (the contract's MerchantImApi) and
 * nothing else — no ipcRenderer, no Node, no generic send. Bundled to one CommonJS file because
 * sandboxed preloads cannot load modules.
 *
 * contextBridge copies an Error thrown across it down to its message, so a failed invoke rejects
 * with a plain object carrying the IpcError's fields: `name: 'IpcError'`, `code`, `message` and
 * `detail` (the contract's error shape).
 */
const listeners = new Map<IpcTopic, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_CHANNELS.event, (_event: IpcRendererEvent, topic: IpcTopic, payload: unknown) => {
  for (const listener of [...(listeners.get(topic) ?? [])]) {
    try {
      listener(payload);
    } catch (err) {
      console.error(`merchantIm listener for ${topic} failed`, err);
    }
  }
});

const api: MerchantImApi = {
  async invoke<M extends IpcMethod>(method: M, args: IpcArgs<M>): Promise<IpcResult<M>> {
    const reply = (await ipcRenderer.invoke(IPC_CHANNELS.invoke, method, args)) as InvokeReply;
    if (reply.ok) return reply.result as IpcResult<M>;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- see above: an Error would lose its fields
    throw { name: 'IpcError', code: reply.error.code, message: reply.error.message, detail: reply.error };
  },
  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void {
    let set = listeners.get(topic);
    if (!set) {
      set = new Set();
      listeners.set(topic, set);
      ipcRenderer.send(IPC_CHANNELS.subscribe, topic);
    }
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => {
      const current = listeners.get(topic);
      if (!current?.delete(wrapped) || current.size > 0) return;
      listeners.delete(topic);
      ipcRenderer.send(IPC_CHANNELS.unsubscribe, topic);
    };
  },
};

contextBridge.exposeInMainWorld('merchantIm', api);
