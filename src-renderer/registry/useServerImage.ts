import { useCallback, useEffect, useState } from 'react';
import { IpcError, type IpcArgs, type MerchantImApi } from '../../src-shared/ipc';
import { useAppDispatch, useAppSelector } from '../app/hooks';
import type { AppThunk } from '../app/thunk';

export type ServerImageState =
  | { status: 'loading' }
  | { status: 'loaded'; src: string }
  | { status: 'failed'; code: string; message: string; temporary: boolean };

/** `thumb` is at most 520 px on its longest side (protocol §8); `full` is the image as sent. */
export type ImageVariant = 'thumb' | 'full';

/**
 * Images kept in memory per contract (one per store, so tests do not share them); oldest dropped
 * first. Full images can be 8 MiB each, so far fewer of them are kept than thumbnails.
 */
const MAX_CACHED: Record<ImageVariant, number> = { thumb: 200, full: 16 };
const caches = new WeakMap<MerchantImApi, Record<ImageVariant, Map<string, Promise<Blob>>>>();

function cacheFor(api: MerchantImApi, variant: ImageVariant): Map<string, Promise<Blob>> {
  let byVariant = caches.get(api);
  if (!byVariant) caches.set(api, (byVariant = { thumb: new Map(), full: new Map() }));
  return byVariant[variant];
}

/** The image's bytes as a Blob, fetched once per path and variant while it stays among the recent ones. */
function loadServerImage(path: string, variant: ImageVariant): AppThunk<Promise<Blob>> {
  return (_dispatch, _getState, { api }) => {
    const cache = cacheFor(api, variant);
    const hit = cache.get(path);
    if (hit) {
      // Most recently used goes last.
      cache.delete(path);
      cache.set(path, hit);
      return hit;
    }
    const args: IpcArgs<'media.get'> = variant === 'thumb' ? { url: path, variant } : { url: path };
    const loaded = api.invoke('media.get', args).then(({ mime, data_base64 }) => {
      const bytes = Uint8Array.from(atob(data_base64), (c) => c.charCodeAt(0));
      return new Blob([bytes], { type: mime });
    });
    cache.set(path, loaded);
    // A failure is not remembered: the next mount (or reconnect, or Retry) asks again.
    loaded.catch(() => cache.delete(path));
    if (cache.size > MAX_CACHED[variant]) cache.delete(cache.keys().next().value!);
    return loaded;
  };
}

/**
 * A server image for an `<img>`: the core fetches it with the session's credentials (the renderer
 * never sees the token), this hook turns it into a `blob:` URL owned by the mounted component and
 * revoked when it unmounts or asks for another image. A temporary failure (offline) is retried when
 * the channel comes back; `retry` asks again at once.
 */
export function useServerImage(
  path: string | null,
  variant: ImageVariant = 'full',
): ServerImageState & { retry: () => void } {
  const dispatch = useAppDispatch();
  const online = useAppSelector((s) => s.connection.channel?.status === 'online');
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ key: string; state: ServerImageState } | null>(null);
  const key = `${attempt}:${variant}:${path ?? ''}`;
  const state: ServerImageState = result?.key === key ? result.state : { status: 'loading' };
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  // Derived from the previous render, not an effect: coming online starts a new attempt at once.
  const [wasOnline, setWasOnline] = useState(online);
  if (online !== wasOnline) {
    setWasOnline(online);
    if (online && state.status === 'failed' && state.temporary) setAttempt((n) => n + 1);
  }

  useEffect(() => {
    if (path === null) return undefined;
    const requested = `${attempt}:${variant}:${path}`;
    let src: string | null = null;
    let live = true;
    dispatch(loadServerImage(path, variant)).then(
      (blob) => {
        if (!live) return;
        src = URL.createObjectURL(blob);
        setResult({ key: requested, state: { status: 'loaded', src } });
      },
      (err: unknown) => {
        if (!live) return;
        const detail = err instanceof IpcError ? err.detail : null;
        setResult({
          key: requested,
          state: {
            status: 'failed',
            code: detail?.code ?? 'INTERNAL',
            message: detail?.message ?? String(err),
            temporary: detail?.temporary ?? false,
          },
        });
      },
    );
    return () => {
      live = false;
      if (src) URL.revokeObjectURL(src);
    };
  }, [dispatch, path, variant, attempt]);

  return { ...state, retry };
}
