import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { rendererResponse } from '../../src-main/electron/renderer-protocol';
import { guardWebContents, hardenSession, isAppUrl } from '../../src-main/electron/security';
import { RENDERER_CSP } from '../../src-main/shell/app-protocol';

function guarded() {
  const contents = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => { action: string } };
  Object.assign(contents, {
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (contents.openHandler = fn),
  });
  const external: string[] = [];
  guardWebContents(contents as never, (url) => external.push(url));
  const fire = (name: string, url: string, isMainFrame = true) => {
    let prevented = false;
    contents.emit(name, { url, isMainFrame, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { contents, external, fire };
}

describe('navigation and new windows', () => {
  it('keeps the window on the app and sends web links to the OS browser', () => {
    const { fire, external } = guarded();
    expect(fire('will-navigate', 'app://merchant-im/index.html#/line/1')).toBe(false);
    expect(fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-navigate', 'app://merchant-im/x', false)).toBe(true);
    expect(fire('will-frame-navigate', 'https://ads.example/')).toBe(true);
    expect(fire('will-redirect', 'https://elsewhere.example/')).toBe(true);
    expect(fire('will-attach-webview', 'app://merchant-im/')).toBe(true);
    expect(external).toEqual(['https://example.com/']);
  });

  it('denies every new window, opening allowed links outside', () => {
    const { contents, external } = guarded();
    expect(contents.openHandler!({ url: 'https://hotel.example/room' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(external).toEqual(['https://hotel.example/room']);
  });

  it('grants no permission except clipboard writes for the app page', () => {
    let request: ((c: { getURL(): string }, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: ((c: unknown, p: string, origin: string) => boolean) | undefined;
    const downloads = new EventEmitter();
    hardenSession({
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      on: (e: string, fn: (...a: unknown[]) => void) => downloads.on(e, fn),
    } as never);
    const ask = (url: string, permission: string) => {
      let answer: boolean | undefined;
      request!({ getURL: () => url }, permission, (ok) => (answer = ok));
      return answer;
    };
    expect(ask('app://merchant-im/index.html', 'clipboard-sanitized-write')).toBe(true);
    expect(ask('app://merchant-im/index.html', 'media')).toBe(false);
    expect(ask('https://evil.example/', 'clipboard-sanitized-write')).toBe(false);
    expect(check!(null, 'notifications', 'app://merchant-im')).toBe(false);
    expect(check!(null, 'clipboard-sanitized-write', 'app://merchant-im')).toBe(true);
    // Only the image viewer's Save (a blob the app page made) may download.
    const download = (url: string) => {
      let prevented = false;
      downloads.emit('will-download', { preventDefault: () => (prevented = true) }, { getURL: () => url });
      return prevented;
    };
    expect(download('blob:app://merchant-im/0b9f6c2e-5c7a-4f4e-9d0e-3f2b8a1c7d11')).toBe(false);
    for (const url of [
      'https://evil.example/payload.exe',
      'blob:https://evil.example/0b9f6c2e',
      'blob:app://merchant-im.evil/0b9f6c2e',
      'app://merchant-im/index.html',
      'data:application/octet-stream;base64,AAAA',
    ])
      expect(download(url), url).toBe(true);
    expect(isAppUrl('app://merchant-im.evil/')).toBe(false);
  });
});

describe('app:// responses', () => {
  const csp = RENDERER_CSP;
  const files: Record<string, string> = { '/root/index.html': '<!doctype html>', '/root/assets/a.js': 'export {}' };
  const read = (file: string) =>
    file in files ? Promise.resolve(Buffer.from(files[file]!)) : Promise.reject(new Error('ENOENT'));

  it('serves the page with the CSP and hardening headers', async () => {
    const res = await rendererResponse('app://merchant-im/', '/root', csp, read);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<!doctype html>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 404 for missing files and 403 for other hosts, still with the CSP', async () => {
    const missing = await rendererResponse('app://merchant-im/assets/b.js', '/root', csp, read);
    expect(missing.status).toBe(404);
    const other = await rendererResponse('app://other/index.html', '/root', csp, read);
    expect(other.status).toBe(403);
    expect(other.headers.get('content-security-policy')).toBe(csp);
  });
});
