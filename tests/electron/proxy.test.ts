import { describe, expect, it } from 'vitest';
import { ProxyCredentialStore, parsePacResult, routeFor } from '../../src-main/shell/proxy';

describe('system proxy routes for the Node transports', () => {
  it('parses Chromium PAC answers', () => {
    expect(parsePacResult('DIRECT')).toEqual([{ kind: 'direct' }]);
    expect(parsePacResult('PROXY proxy.corp:3128; HTTPS secure.corp; SOCKS5 [::1]:1080;DIRECT')).toEqual([
      { kind: 'http', host: 'proxy.corp', port: 3128 },
      { kind: 'https', host: 'secure.corp', port: 443 },
      { kind: 'socks5', host: '::1', port: 1080 },
      { kind: 'direct' },
    ]);
    expect(parsePacResult('PROXY bad:99999; QUIC q:1; ')).toEqual([]);
  });

  it('takes the first usable rule and puts known credentials into the proxy URL', () => {
    const store = new ProxyCredentialStore();
    store.set('proxy.corp', 3128, { username: 'shop\\alice', password: 'p@ss:word' });
    const { route } = routeFor(parsePacResult('PROXY proxy.corp:3128; DIRECT'), (h, p) => store.get(h, p));
    expect(route).toEqual({
      kind: 'proxy',
      url: 'http://shop%5Calice:p%40ss%3Aword@proxy.corp:3128',
      rule: 'http proxy.corp:3128',
    });
    const url = new URL(route.kind === 'proxy' ? route.url : '');
    expect(decodeURIComponent(url.password)).toBe('p@ss:word');
  });

  it('skips SOCKS rules it cannot follow, and says so', () => {
    expect(routeFor(parsePacResult('SOCKS5 s:1080; PROXY p:8080'), () => null)).toEqual({
      route: { kind: 'proxy', url: 'http://p:8080', rule: 'http p:8080' },
      skipped: ['socks5 s:1080'],
    });
    expect(routeFor(parsePacResult('SOCKS s:1080'), () => null)).toEqual({
      route: { kind: 'direct' },
      skipped: ['socks4 s:1080'],
    });
    expect(routeFor([], () => null).route).toEqual({ kind: 'direct' });
  });

  it('brackets IPv6 proxies', () => {
    expect(routeFor(parsePacResult('HTTPS [fd00::1]:8443'), () => null).route).toMatchObject({
      url: 'https://[fd00::1]:8443',
    });
  });

  it('collects credentials from the environment', () => {
    const store = ProxyCredentialStore.fromEnvironment({
      HTTPS_PROXY: 'http://bob:b%40b@Proxy.Corp:8080',
      MERCHANT_IM_PROXY_USERNAME: 'svc',
      MERCHANT_IM_PROXY_PASSWORD: 'pw',
    });
    expect(store.get('proxy.corp', 8080)).toEqual({ username: 'bob', password: 'b@b' });
    expect(store.get('other', 3128)).toEqual({ username: 'svc', password: 'pw' });
    expect(ProxyCredentialStore.fromEnvironment({ HTTP_PROXY: 'not a url' }).get('x', 1)).toBeNull();
  });
});
