import { describe, expect, it } from 'vitest';
import { IpcError } from '../../src-shared/ipc/contract';
import { ImError } from '../../src-shared/protocol/errors';
import {
  IPC_CHANNELS,
  checkSender,
  parseInvoke,
  parseTopic,
  toIpcErrorShape,
  type SenderFacts,
} from '../../src-main/shell/ipc-guard';

const trusted = new Set([7]);
const facts = (over: Partial<SenderFacts> = {}): SenderFacts => ({
  channel: IPC_CHANNELS.invoke,
  frameUrl: 'app://merchant-im/index.html#/inbox',
  isMainFrame: true,
  webContentsId: 7,
  ...over,
});

describe('IPC sender checks', () => {
  it('accepts the top frame of an app window on the app origin', () => {
    expect(checkSender(facts(), trusted)).toEqual({ ok: true });
    expect(checkSender(facts({ channel: IPC_CHANNELS.subscribe }), trusted)).toEqual({ ok: true });
  });

  it.each([
    [
      'a foreign origin',
      { frameUrl: 'https://evil.example/index.html' },
      'sender origin https://evil.example is not app://merchant-im',
    ],
    [
      'another app:// host',
      { frameUrl: 'app://other/index.html' },
      'sender origin app://other is not app://merchant-im',
    ],
    ['a file:// page', { frameUrl: 'file:///C:/Users/a/index.html' }, 'sender origin file:// is not app://merchant-im'],
    ['a subframe', { isMainFrame: false }, 'sender is a subframe'],
    ['a destroyed frame', { frameUrl: null }, 'sender frame is gone'],
    ['an unknown webContents', { webContentsId: 8 }, 'webContents 8 is not an app window'],
    ['an unknown channel', { channel: 'merchant-im:event' }, 'unknown channel merchant-im:event'],
    ['garbage URL', { frameUrl: '::' }, 'sender URL is not a URL'],
  ])('refuses %s', (_name, over, reason) => {
    expect(checkSender(facts(over), trusted)).toEqual({ ok: false, reason });
  });
});

describe('IPC argument validation', () => {
  it('passes parsed arguments with defaults applied', () => {
    expect(parseInvoke('history.load', { line_id: 'L1' })).toEqual({
      ok: true,
      method: 'history.load',
      args: { line_id: 'L1', limit: 50 },
    });
  });

  it('refuses unknown methods and bad arguments as INVALID_ARGUMENT data', () => {
    expect(parseInvoke('fs.readFile', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'unknown method fs.readFile' },
    });
    expect(parseInvoke(42, {})).toMatchObject({ ok: false, error: { message: 'unknown method number' } });
    expect(parseInvoke('__proto__', {})).toMatchObject({ ok: false });
    const bad = parseInvoke('session.signIn', { server_url: 'nope', account: 'a', password: 'p' });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', temporary: false, retry_after_ms: null },
    });
    expect(bad.ok === false && bad.error.message).toMatch(/^bad arguments for session.signIn at server_url/);
  });

  it('knows the contract topics only', () => {
    expect(parseTopic('unread.changed')).toBe('unread.changed');
    expect(parseTopic('constructor')).toBeNull();
    expect(parseTopic(1)).toBeNull();
  });

  it('turns whatever the core threw into error data without leaking internals', () => {
    const detail = { code: 'NOT_FOUND', message: 'no line', temporary: false, retry_after_ms: null };
    expect(toIpcErrorShape(new IpcError(detail))).toEqual(detail);
    expect(toIpcErrorShape(new ImError('RATE_LIMITED', 'slow down', 500))).toEqual({
      code: 'RATE_LIMITED',
      message: 'slow down',
      temporary: true,
      retry_after_ms: 500,
    });
    expect(toIpcErrorShape(detail)).toEqual(detail);
    const internal = toIpcErrorShape(new Error('SQLITE_CORRUPT at /home/alice/secret.db'));
    expect(internal.code).toBe('INTERNAL');
    expect(internal.message).not.toContain('alice');
  });
});
