import { act, render, type RenderResult } from '@testing-library/react';
import type { i18n } from 'i18next';
import { onTestFinished } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import { Provider } from 'react-redux';
import { App } from '../../../src-renderer/app/App';
import { connectBus } from '../../../src-renderer/app/bus';
import { makeStore, type AppStore, type RootState } from '../../../src-renderer/app/store';
import { createI18n, type Language } from '../../../src-renderer/i18n';
import type { ChannelState } from '../../../src-shared/ipc';
import type { FakeApi } from './fakeApi';
import { NOW } from './fixtures';

/**
 * jsdom has no layout: give every element a viewport-sized box so the virtualisers render rows,
 * and a scrollTo that moves scrollTop.
 */
export function installLayout(height = 600, width = 800): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  HTMLElement.prototype.scrollTo = function scrollTo(this: HTMLElement, options?: ScrollToOptions | number) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
    this.dispatchEvent(new Event('scroll'));
  };
}

export interface Mounted extends RenderResult {
  store: AppStore;
  i18n: i18n;
  api: FakeApi;
  /** Let pending promises (fake invokes, thunks, listeners) settle. */
  settle(): Promise<void>;
}

export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

/** The whole renderer over a fake contract, as main.tsx wires it. RTL unmounts it after each test; the bus is unhooked too. */
export async function mountApp(
  api: FakeApi,
  options: { now?: number; language?: Language; preloaded?: Partial<RootState> } = {},
): Promise<Mounted> {
  const now = () => options.now ?? NOW;
  const store = makeStore({ api, now }, options.preloaded);
  const off = connectBus(api, store.dispatch, now);
  const i18n = createI18n(options.language ?? 'en');
  const result = render(
    <Provider store={store}>
      <I18nextProvider i18n={i18n}>
        <App />
      </I18nextProvider>
    </Provider>,
  );
  onTestFinished(off);
  await settle();
  return { ...result, store, i18n, api, settle };
}

/** Play a `channel.state` from the core's channel: online over WebSocket unless said otherwise. */
export function emitChannelState(
  app: Mounted,
  status: ChannelState['status'],
  since: number,
  extra: Partial<ChannelState> = {},
): void {
  act(() =>
    app.api.emit('channel.state', {
      status,
      transport: status === 'online' ? 'ws' : null,
      retry_at: null,
      last_error: null,
      since,
      ...extra,
    }),
  );
}
