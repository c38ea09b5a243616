import type { App, AuthInfo, Session } from 'electron';
import type { Logger } from '../ports/logger';
import { parsePacResult, routeFor, type ProxyCredentialStore, type ProxyRoute } from '../shell/proxy';

/**
 * The system proxy as Chromium sees it (OS settings, PAC script, WPAD), for the Node transports.
 * Chromium's own requests (the updater) use it natively.
 */
export class SystemProxy {
  constructor(
    private readonly session: Pick<Session, 'resolveProxy'>,
    private readonly credentials: ProxyCredentialStore,
    private readonly log: Logger,
  ) {}

  async route(url: string): Promise<ProxyRoute> {
    // PAC scripts are asked about http(s) URLs; Chromium does the same for WebSockets.
    const asked = url.replace(/^ws(s?):/i, 'http$1:');
    let pac: string;
    try {
      pac = await this.session.resolveProxy(asked);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'proxy resolution failed; connecting directly');
      return { kind: 'direct' };
    }
    const { route, skipped } = routeFor(parsePacResult(pac), (host, port) => this.credentials.get(host, port));
    if (skipped.length > 0) this.log.warn({ skipped }, 'SOCKS proxies are not supported for the data channel');
    return route;
  }

  /**
   * Answers Chromium's proxy authentication challenges (the updater's requests) with the same
   * credentials the data channel uses. Server (non-proxy) challenges are left to their default:
   * cancelled, as the app never browses.
   */
  installLoginHandler(app: Pick<App, 'on'>): void {
    app.on('login', (event, _contents, _details, authInfo: AuthInfo, callback) => {
      if (!authInfo.isProxy) return;
      const credentials = this.credentials.get(authInfo.host, authInfo.port);
      if (!credentials) {
        this.log.warn(
          { proxy: `${authInfo.host}:${authInfo.port}`, scheme: authInfo.scheme },
          'proxy asks for credentials and none are configured',
        );
        return;
      }
      event.preventDefault();
      callback(credentials.username, credentials.password);
    });
  }
}
