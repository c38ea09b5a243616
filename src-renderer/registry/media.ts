/**
 * Images are shown only when they come from the signed-in server: a server-relative media path,
 * or an absolute URL on the server's own origin. Anything else (a tracker, a data: URL, another
 * host) is refused and the bubble says so.
 */
export function resolveServerImage(url: string, serverUrl: string | null): string | null {
  if (!serverUrl) return null;
  let server: URL;
  let resolved: URL;
  try {
    server = new URL(serverUrl);
    resolved = new URL(url, server);
  } catch {
    return null;
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') return null;
  if (resolved.origin !== server.origin) return null;
  return resolved.href;
}
