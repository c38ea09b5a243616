import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, resolveAppAsset } from '../../src-main/shell/app-protocol';
import { isAllowedExternalUrl } from '../../src-main/shell/external-links';

const root = resolve('/opt/merchant-im/dist/renderer');

describe('app:// protocol', () => {
  it('serves files under the renderer folder with their type', () => {
    expect(resolveAppAsset('app://merchant-im/', root)).toEqual({
      ok: true,
      file: join(root, 'index.html'),
      mime: 'text/html; charset=utf-8',
    });
    expect(resolveAppAsset('app://merchant-im/assets/index-abc.js?v=1', root)).toEqual({
      ok: true,
      file: join(root, 'assets', 'index-abc.js'),
      mime: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppAsset('app://merchant-im/img/a%20b.png', root)).toMatchObject({
      ok: true,
      file: join(root, 'img', 'a b.png'),
    });
  });

  it('refuses paths that escape the folder, other hosts and odd files', () => {
    expect(resolveAppAsset('app://merchant-im/../../etc/passwd', root)).toMatchObject({ ok: false });
    // The URL parser folds encoded dot segments, so this can only land inside the folder.
    expect(resolveAppAsset('app://merchant-im/%2e%2e/%2e%2e/etc/passwd.txt', root)).toEqual({
      ok: true,
      file: join(root, 'etc', 'passwd.txt'),
      mime: 'text/plain; charset=utf-8',
    });
    expect(resolveAppAsset('app://merchant-im/assets/%252e%252e/x.js', root)).toMatchObject({
      ok: true,
      file: join(root, 'assets', '%2e%2e', 'x.js'),
    });
    expect(resolveAppAsset('app://merchant-im/..%5c..%5csecret.txt', root)).toEqual({ ok: false, status: 400 });
    expect(resolveAppAsset('app://merchant-im/a%00.js', root)).toEqual({ ok: false, status: 400 });
    expect(resolveAppAsset('app://other/index.html', root)).toEqual({ ok: false, status: 403 });
    expect(resolveAppAsset('app://merchant-im/package.node', root)).toEqual({ ok: false, status: 404 });
    expect(resolveAppAsset('app://merchant-im/%E0%A4%A', root)).toEqual({ ok: false, status: 400 });
  });

  it('has a strict CSP: no network, images only as the page’s own, data: or blob: (never from a server)', () => {
    expect(RENDERER_CSP).toContain("default-src 'none'");
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("connect-src 'self'");
    expect(RENDERER_CSP).toMatch(/(^|; )img-src 'self' data: blob:(;|$)/);
    expect(RENDERER_CSP).not.toMatch(/unsafe-(inline|eval)|https?:/);
  });
});

describe('external link allow-list', () => {
  it('lets web links out and nothing else', () => {
    expect(isAllowedExternalUrl('https://www.example.com/hotel?id=1')).toBe(true);
    expect(isAllowedExternalUrl('http://example.com')).toBe(true);
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:/id',
      'https://bank.com@evil.example/',
      'not a url',
      `https://x.com/${'a'.repeat(5000)}`,
    ]) {
      expect(isAllowedExternalUrl(bad), bad).toBe(false);
    }
  });
});
