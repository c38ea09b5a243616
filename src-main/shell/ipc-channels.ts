import type { IpcErrorShape } from '../../src-shared/ipc/contract';

/**
 * The only IPC channels between the preload and the main process. Kept free of runtime imports:
 * the sandboxed preload bundles this file and cannot load Node modules.
 */
export const IPC_CHANNELS = {
  /** renderer → main, invoke(method, args) → InvokeReply */
  invoke: 'merchant-im:invoke',
  /** renderer → main, send(topic) */
  subscribe: 'merchant-im:subscribe',
  unsubscribe: 'merchant-im:unsubscribe',
  /** main → renderer, (topic, payload) */
  event: 'merchant-im:event',
} as const;
export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/**
 * An invoke's reply is data, not a thrown error: Electron flattens errors thrown from handlers
 * into a message string, and the renderer needs the code, `temporary` and `retry_after_ms`.
 */
export type InvokeReply = { ok: true; result: unknown } | { ok: false; error: IpcErrorShape };
