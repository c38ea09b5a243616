import { z } from 'zod';
import { IpcErrorShape } from './contract';

/**
 * Frames of the browser-mode bridge: the contract (`invoke` / `subscribe`) carried over one local
 * WebSocket between the renderer and the Node host that runs the client core. The host validates
 * every inbound frame with these schemas and every call's arguments with IPC_METHODS.
 */

/** WebSocket subprotocol of the bridge; the per-launch secret travels as a second one, `k.<secret>`. */
export const BRIDGE_PROTOCOL = 'merchant-im.bridge.v1';
export const BRIDGE_SECRET_PREFIX = 'k.';
/** Path of the bridge socket on the host. */
export const BRIDGE_PATH = '/bridge';
/** Name of the URL-fragment parameter that hands the secret to the page. */
export const BRIDGE_FRAGMENT_KEY = 'k';

export const BridgeClientFrame = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    method: z.string().min(1).max(64),
    args: z.unknown(),
  }),
  z.object({ kind: z.literal('subscribe'), topic: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('unsubscribe'), topic: z.string().min(1).max(64) }),
]);
export type BridgeClientFrame = z.infer<typeof BridgeClientFrame>;

export const BridgeServerFrame = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ kind: z.literal('error'), id: z.number().int().nullable(), error: IpcErrorShape }),
  z.object({ kind: z.literal('event'), topic: z.string(), payload: z.unknown() }),
]);
export type BridgeServerFrame = z.infer<typeof BridgeServerFrame>;
