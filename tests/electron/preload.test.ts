import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MerchantImApi } from '../../src-shared/ipc/contract';

/** The preload is the one module that touches Electron's renderer side: mock exactly that edge. */
const electron = vi.hoisted(() => {
  const exposed: Record<string, unknown> = {};
  const sent: unknown[][] = [];
  const invoked: unknown[][] = [];
  const listeners = new Map<string, (...args: unknown[]) => void>();
  let reply: unknown = { ok: true, result: {} };
  return {
    exposed,
    sent,
    invoked,
    listeners,
    setReply: (r: unknown) => {
      reply = r;
    },
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve(reply);
        },
        send: (...args: unknown[]) => sent.push(args),
        on: (channel: string, fn: (...args: unknown[]) => void) => listeners.set(channel, fn),
      },
    },
  };
});
vi.mock('electron', () => electron.module);

describe('preload', () => {
  let api: MerchantImApi;
  beforeEach(async () => {
    await import('../../src-main/electron/preload');
    api = electron.exposed.merchantIm as MerchantImApi;
  });

  it('exposes exactly window.merchantIm with invoke and subscribe, nothing else', () => {
    expect(Object.keys(electron.exposed)).toEqual(['merchantIm']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
    expect([...electron.listeners.keys()]).toEqual(['merchant-im:event']);
  });

  it('invokes over the one channel and resolves with the result', async () => {
    electron.setReply({ ok: true, result: { signed_in: false } });
    await expect(api.invoke('session.get', {})).resolves.toEqual({ signed_in: false });
    expect(electron.invoked.at(-1)).toEqual(['merchant-im:invoke', 'session.get', {}]);
  });

  it('rejects with the error fields intact (contextBridge would strip an Error)', async () => {
    const error = {
      code: 'BAD_CREDENTIALS',
      message: 'Wrong account or password.',
      temporary: false,
      retry_after_ms: null,
    };
    electron.setReply({ ok: false, error });
    await expect(
      api.invoke('session.signIn', { server_url: 'https://x', account: 'a', password: 'p' }),
    ).rejects.toEqual({
      name: 'IpcError',
      code: 'BAD_CREDENTIALS',
      message: 'Wrong account or password.',
      detail: error,
    });
  });

  it('subscribes once per topic, fans events out, unsubscribes after the last listener', () => {
    electron.sent.length = 0;
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = api.subscribe('unread.changed', (p) => a.push(p));
    const offB = api.subscribe('unread.changed', (p) => {
      b.push(p);
      throw new Error('a bad listener must not stop the others');
    });
    expect(electron.sent).toEqual([['merchant-im:subscribe', 'unread.changed']]);
    const deliver = electron.listeners.get('merchant-im:event')!;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    deliver({}, 'unread.changed', { line_id: 'L1', unread: 1, total: 1 });
    deliver({}, 'message.new', { key: 'k' });
    errors.mockRestore();
    expect(a).toEqual([{ line_id: 'L1', unread: 1, total: 1 }]);
    expect(b).toHaveLength(1);
    offA();
    expect(electron.sent).toHaveLength(1);
    offB();
    expect(electron.sent.at(-1)).toEqual(['merchant-im:unsubscribe', 'unread.changed']);
  });
});
