import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { APP_SCHEME, resolveAppAsset } from '../shell/app-protocol';

/** Must run before the app is ready: `app:` behaves like https (secure context, fetch, CORS). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/**
 * Answers one `app://merchant-im/…` request from the renderer's build folder, with the CSP and
 * hardening headers on every response.
 */
export async function rendererResponse(
  requestUrl: string,
  rootDir: string,
  csp: string,
  read: (file: string) => Promise<Buffer> = (file) => readFile(file),
): Promise<Response> {
  const headers = {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  const asset = resolveAppAsset(requestUrl, rootDir);
  if (!asset.ok) return new Response(null, { status: asset.status, headers });
  try {
    const body = await read(asset.file);
    return new Response(new Uint8Array(body), { status: 200, headers: { ...headers, 'Content-Type': asset.mime } });
  } catch {
    return new Response(null, { status: 404, headers });
  }
}

export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rootDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, (request) => rendererResponse(request.url, rootDir, csp));
}
