import {
  IPC_METHODS,
  IpcErrorShape,
  isIpcMethod,
  isIpcTopic,
  type IpcMethod,
  type IpcTopic,
} from '../../src-shared/ipc/contract';
import { APP_ORIGIN } from './app-protocol';
import { IPC_CHANNELS, type IpcChannel } from './ipc-channels';

export { IPC_CHANNELS, type IpcChannel, type InvokeReply } from './ipc-channels';
export const INBOUND_CHANNELS: readonly IpcChannel[] = [
  IPC_CHANNELS.invoke,
  IPC_CHANNELS.subscribe,
  IPC_CHANNELS.unsubscribe,
];

/** What the IPC wrapper reads off an Electron event before trusting it. */
export interface SenderFacts {
  channel: string;
  /** URL of the frame that sent the message; null once the frame is gone or navigated away. */
  frameUrl: string | null;
  isMainFrame: boolean;
  webContentsId: number;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/**
 * A message is trusted only from the top frame of one of our own windows showing our own
 * `app://` page: never from a subframe (an image or card that somehow loaded an iframe), another
 * webContents (devtools, a future helper window), or a page that navigated elsewhere.
 */
export function checkSender(facts: SenderFacts, trustedWebContents: ReadonlySet<number>): SenderVerdict {
  if (!(INBOUND_CHANNELS as readonly string[]).includes(facts.channel))
    return { ok: false, reason: `unknown channel ${facts.channel}` };
  if (!trustedWebContents.has(facts.webContentsId))
    return { ok: false, reason: `webContents ${facts.webContentsId} is not an app window` };
  if (facts.frameUrl === null) return { ok: false, reason: 'sender frame is gone' };
  if (!facts.isMainFrame) return { ok: false, reason: 'sender is a subframe' };
  let origin: string;
  try {
    const url = new URL(facts.frameUrl);
    // `app:` is a registered standard scheme in Electron, but Node's URL gives non-special
    // schemes an opaque "null" origin, so build it from the parts.
    origin = `${url.protocol}//${url.host}`;
  } catch {
    return { ok: false, reason: 'sender URL is not a URL' };
  }
  if (origin !== APP_ORIGIN) return { ok: false, reason: `sender origin ${origin} is not ${APP_ORIGIN}` };
  return { ok: true };
}

export type ParsedInvoke = { ok: true; method: IpcMethod; args: unknown } | { ok: false; error: IpcErrorShape };

/** Validates an invoke against the contract's schemas; the core receives parsed (defaulted) args. */
export function parseInvoke(method: unknown, args: unknown): ParsedInvoke {
  if (typeof method !== 'string' || !isIpcMethod(method)) {
    return {
      ok: false,
      error: invalid(`unknown method ${typeof method === 'string' ? method.slice(0, 64) : typeof method}`),
    };
  }
  const parsed = IPC_METHODS[method].args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: invalid(`bad arguments for ${method}${where}: ${issue?.message ?? 'invalid'}`) };
  }
  return { ok: true, method, args: parsed.data };
}

export function parseTopic(topic: unknown): IpcTopic | null {
  return typeof topic === 'string' && isIpcTopic(topic) ? topic : null;
}

export function forbidden(reason: string): IpcErrorShape {
  return { code: 'FORBIDDEN', message: reason, temporary: false, retry_after_ms: null };
}

function invalid(message: string): IpcErrorShape {
  return { code: 'INVALID_ARGUMENT', message, temporary: false, retry_after_ms: null };
}

/**
 * Whatever the core threw, as the contract's error data: an IpcError's detail, a ClientError's or
 * ImError's own shape, or a generic INTERNAL that does not leak a stack trace to the page.
 */
export function toIpcErrorShape(err: unknown): IpcErrorShape {
  if (typeof err === 'object' && err !== null) {
    const detail = IpcErrorShape.safeParse((err as { detail?: unknown }).detail);
    if (detail.success) return detail.data;
    for (const convert of ['toShape', 'toWire'] as const) {
      const fn = (err as Record<string, unknown>)[convert];
      if (typeof fn !== 'function') continue;
      const shape = IpcErrorShape.safeParse((fn as () => unknown).call(err));
      if (shape.success) return shape.data;
    }
    const direct = IpcErrorShape.safeParse(err);
    if (direct.success) return direct.data;
  }
  return {
    code: 'INTERNAL',
    message: 'Unexpected error in the app; see the log file.',
    temporary: true,
    retry_after_ms: null,
  };
}
