import type { Session, WebContents, WebPreferences } from 'electron';
import { APP_ORIGIN } from '../shell/app-protocol';
import { isAllowedExternalUrl } from '../shell/external-links';

/**
 * Electron's security checklist, in one place: what every renderer runs with, what the session
 * allows, and where a webContents may go. main.ts applies `guardWebContents` to every webContents
 * the app ever creates (app 'web-contents-created'), not only to the main window.
 */
export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    devTools,
  };
}

/** A `blob:` URL made by the app's own page (`blob:app://merchant-im/<uuid>`). */
export function isAppBlob(raw: string): boolean {
  return raw.startsWith('blob:') && isAppUrl(raw.slice('blob:'.length));
}

/** Whether a URL belongs to the app's own pages. */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** Permissions the renderer may have: writing to the clipboard ("copy diagnostics"), nothing else. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

export function hardenSession(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'on'>,
): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && isAppUrl(contents.getURL()));
  });
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) => ALLOWED_PERMISSIONS.has(permission) && requestingOrigin === APP_ORIGIN,
  );
  // The only download is the image viewer's Save: a blob the app page made from an image it already
  // shows (Electron then asks where to save it). Anything else a page might start is refused.
  session.on('will-download', (event, item) => {
    if (!isAppBlob(item.getURL())) event.preventDefault();
  });
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * No navigation away from the app, no new windows, no <webview>. Web links the user clicks go to
 * the OS browser once they pass the allow-list; everything else is dropped.
 */
export function guardWebContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  const leave = (url: string): void => {
    if (isAllowedExternalUrl(url)) openExternal(url);
  };
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url) && event.isMainFrame) return;
    event.preventDefault();
    if (event.isMainFrame) leave(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
