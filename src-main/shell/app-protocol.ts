import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The renderer is served from `app://merchant-im/`, never from file:// (which would give the page
 * every file on disk as its origin) nor from a loopback HTTP server (reachable by other programs).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'merchant-im';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppAsset = { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps an `app://` request to a file under the renderer's build folder. Anything outside the
 * folder (`..`, encoded or not, absolute paths, other hosts) is refused; unknown extensions are
 * not served, so nothing the build did not mean to ship is readable.
 */
export function resolveAppAsset(requestUrl: string, rootDir: string): AppAsset {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400 };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 403 };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (path.includes('\0') || path.includes('\\')) return { ok: false, status: 400 };
  const wanted = path === '/' || path === '' ? '/index.html' : path;
  const root = resolve(rootDir);
  const file = resolve(root, `.${wanted}`);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { ok: false, status: 403 };
  const mime = MIME[extname(file).toLowerCase()];
  if (!mime) return { ok: false, status: 404 };
  return { ok: true, file, mime };
}

/**
 * Strict CSP for the renderer: only its own scripts and styles, no eval, no inline script, no
 * plugins, no framing, no network. Message images reach the page as blob: URLs made from bytes the
 * client core fetched and checked (`media.get`), pasted images before upload as data:/blob:, so no
 * server origin is ever listed and the policy does not change with the server the user is on.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'self'",
].join('; ');
