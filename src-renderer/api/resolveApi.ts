import { BRIDGE_FRAGMENT_KEY, BRIDGE_PATH, type MerchantImApi } from '../../src-shared/ipc';
import { createBridgeApi } from './bridgeClient';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode until the bridge provides it. */
    merchantIm?: MerchantImApi;
  }
}

const SECRET_KEY = 'merchantIm.bridgeSecret';

/**
 * The secret comes in the URL fragment (never sent to any server) on first load; it is moved to
 * sessionStorage and removed from the address bar, so a reload still works and a copied URL or a
 * screenshot does not leak it.
 */
export function takeBridgeSecret(location: Location, history: History, storage: Storage): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get(BRIDGE_FRAGMENT_KEY);
  if (fromUrl) {
    storage.setItem(SECRET_KEY, fromUrl);
    fragment.delete(BRIDGE_FRAGMENT_KEY);
    const rest = fragment.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return fromUrl;
  }
  return storage.getItem(SECRET_KEY);
}

/**
 * The contract object: the preload's if there is one, else a bridge to the browser-mode host that
 * served this page. Null when neither is possible (the page was opened without its launch key).
 */
export function resolveApi(onBridgeState: (state: 'up' | 'down') => void): MerchantImApi | null {
  if (window.merchantIm) return window.merchantIm;
  const secret = takeBridgeSecret(window.location, window.history, window.sessionStorage);
  if (!secret) return null;
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const api = createBridgeApi({
    url: `${scheme}://${window.location.host}${BRIDGE_PATH}`,
    secret,
    onStateChange: onBridgeState,
  });
  window.merchantIm = api;
  return api;
}
