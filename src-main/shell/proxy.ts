/**
 * System proxy and PAC support for the Node transports of the data channel. Chromium resolves the
 * system settings and PAC script for a URL (`session.resolveProxy`) and answers in PAC syntax:
 * `PROXY host:port; HTTPS host:port; SOCKS5 host:port; DIRECT`. This turns that answer into a
 * route a Node agent can take.
 */
export type ProxyRule =
  { kind: 'direct' } | { kind: 'http' | 'https' | 'socks4' | 'socks5'; host: string; port: number };

export type ProxyRoute = { kind: 'direct' } | { kind: 'proxy'; url: string; rule: string };

export function parsePacResult(pac: string): ProxyRule[] {
  const rules: ProxyRule[] = [];
  for (const part of pac.split(';')) {
    const [rawType, rawAddress] = part.trim().split(/\s+/, 2);
    if (!rawType) continue;
    const type = rawType.toUpperCase();
    if (type === 'DIRECT') {
      rules.push({ kind: 'direct' });
      continue;
    }
    const kind =
      type === 'PROXY'
        ? 'http'
        : type === 'HTTPS'
          ? 'https'
          : type === 'SOCKS' || type === 'SOCKS4'
            ? 'socks4'
            : type === 'SOCKS5'
              ? 'socks5'
              : null;
    const address = rawAddress ? parseHostPort(rawAddress, kind === 'https' ? 443 : kind === 'http' ? 80 : 1080) : null;
    if (kind && address) rules.push({ kind, ...address });
  }
  return rules;
}

export interface ProxyCredentials {
  username: string;
  password: string;
}

/**
 * The first rule the Node transports can follow. HTTP(S) proxies are tunnelled with CONNECT;
 * SOCKS proxies are skipped (no SOCKS agent ships with the app), falling through to the next
 * rule as a PAC client would. Credentials, when known for that proxy, go into the proxy URL for
 * Basic authentication.
 */
export function routeFor(
  rules: readonly ProxyRule[],
  credentialsFor: (host: string, port: number) => ProxyCredentials | null,
): { route: ProxyRoute; skipped: string[] } {
  const skipped: string[] = [];
  for (const rule of rules) {
    if (rule.kind === 'direct') return { route: { kind: 'direct' }, skipped };
    if (rule.kind === 'socks4' || rule.kind === 'socks5') {
      skipped.push(`${rule.kind} ${rule.host}:${rule.port}`);
      continue;
    }
    const credentials = credentialsFor(rule.host, rule.port);
    const userinfo = credentials
      ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`
      : '';
    const host = rule.host.includes(':') ? `[${rule.host}]` : rule.host;
    return {
      route: {
        kind: 'proxy',
        url: `${rule.kind}://${userinfo}${host}:${rule.port}`,
        rule: `${rule.kind} ${rule.host}:${rule.port}`,
      },
      skipped,
    };
  }
  // An empty answer means "no proxy"; only SOCKS rules means we try directly and say why.
  return { route: { kind: 'direct' }, skipped };
}

/**
 * Proxy credentials known to the app: from `MERCHANT_IM_PROXY_USERNAME` / `_PASSWORD`, or the
 * user:password part of `HTTPS_PROXY` / `HTTP_PROXY`. The same ones answer Chromium's proxy
 * authentication challenges (the updater) and go into the Node agents (the data channel).
 */
export class ProxyCredentialStore {
  private readonly byProxy = new Map<string, ProxyCredentials>();
  private fallback: ProxyCredentials | null = null;

  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): ProxyCredentialStore {
    const store = new ProxyCredentialStore();
    const username = env.MERCHANT_IM_PROXY_USERNAME;
    if (username) store.fallback = { username, password: env.MERCHANT_IM_PROXY_PASSWORD ?? '' };
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
      const raw = env[name];
      if (!raw) continue;
      try {
        const url = new URL(raw);
        if (url.username) {
          const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
          store.set(url.hostname.replace(/^\[|\]$/g, ''), port, {
            username: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
          });
        }
      } catch {
        // Not a URL: Chromium will not use it either.
      }
    }
    return store;
  }

  set(host: string, port: number, credentials: ProxyCredentials): void {
    this.byProxy.set(`${host.toLowerCase()}:${port}`, credentials);
  }

  get(host: string, port: number): ProxyCredentials | null {
    return this.byProxy.get(`${host.toLowerCase()}:${port}`) ?? this.fallback;
  }
}

function parseHostPort(address: string, defaultPort: number): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(address);
  if (!m) return null;
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (port < 1 || port > 65535) return null;
  return { host: (m[1] ?? m[2])!, port };
}
