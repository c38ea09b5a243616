// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { Provider } from 'react-redux';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcError } from '../../src-shared/ipc';
import { makeStore } from '../../src-renderer/app/store';
import { channelStateChanged } from '../../src-renderer/features/connection/connectionSlice';
import { createI18n } from '../../src-renderer/i18n';
import { ImageBubble } from '../../src-renderer/registry/bubbles/ImageBubble';
import { ServerImage } from '../../src-renderer/registry/bubbles/ServerImage';
import { IMAGES } from '../support/media';
import { FakeApi } from './support/fakeApi';
import { NOW } from './support/fixtures';
import { stubObjectUrls } from './support/objectUrls';
import { settle } from './support/render';

const PATH = `/v1/media/${'ab'.repeat(32)}.png`;
const PNG_BASE64 = IMAGES['image/png'].toString('base64');

let made: Map<string, Blob>;
let revoked: string[];
beforeEach(() => {
  ({ made, revoked } = stubObjectUrls());
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function mount(api: FakeApi, url = PATH) {
  const store = makeStore({ api, now: () => NOW });
  const ui = (u: string) => (
    <Provider store={store}>
      <I18nextProvider i18n={createI18n('en')}>
        <ServerImage className="bubble-image" url={u} width={520} height={260} maxWidth={260} />
      </I18nextProvider>
    </Provider>
  );
  return { store, ...render(ui(url)), ui };
}

const GIF_PATH = `/v1/media/${'cd'.repeat(32)}.gif`;

function mountBubbles(api: FakeApi, images: { url: string; mime: 'image/png' | 'image/gif' }[]) {
  const store = makeStore({ api, now: () => NOW });
  return render(
    <Provider store={store}>
      <I18nextProvider i18n={createI18n('en')}>
        {images.map(({ url, mime }) => (
          <ImageBubble key={url} content={{ type: 'image', url, width: 2000, height: 1000, mime }} />
        ))}
      </I18nextProvider>
    </Provider>,
  );
}

const offline = new IpcError({ code: 'OFFLINE', message: 'no connection', temporary: true, retry_after_ms: null });

describe('ServerImage', () => {
  it('shows the core’s bytes as a blob: URL, reserving the box while loading, and revokes it on unmount', async () => {
    let answer!: () => void;
    const api = new FakeApi(
      {},
      { 'media.get': () => new Promise((r) => (answer = () => r({ mime: 'image/png', data_base64: PNG_BASE64 }))) },
    );
    const view = mount(api);
    await settle();
    const placeholder = view.container.querySelector<HTMLElement>('[aria-busy="true"]')!;
    expect(placeholder.style.width).toBe('260px');
    expect(placeholder.style.height).toBe('130px');

    answer();
    await settle();
    const img = view.container.querySelector('img')!;
    expect(img.getAttribute('src')).toMatch(/^blob:/);
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['260', '130']);
    const blob = made.get(img.getAttribute('src')!)!;
    expect(blob.type).toBe('image/png');
    expect(Buffer.from(await blob.arrayBuffer()).equals(IMAGES['image/png'])).toBe(true);
    expect(api.callsOf('media.get')).toEqual([{ url: PATH }]);

    view.unmount();
    expect(revoked).toEqual([img.getAttribute('src')]);
  });

  it('fetches an image once for every bubble that shows it', async () => {
    const api = new FakeApi({}, { 'media.get': () => ({ mime: 'image/png', data_base64: PNG_BASE64 }) });
    const view = mount(api);
    await settle();
    view.rerender(
      <>
        {view.ui(PATH)}
        {view.ui(PATH)}
      </>,
    );
    await settle();
    expect(view.container.querySelectorAll('img[src^="blob:"]')).toHaveLength(2);
    expect(api.callsOf('media.get')).toHaveLength(1);
  });

  it('refuses anything but this server’s media paths without asking the core', async () => {
    const api = new FakeApi();
    const view = mount(api, 'https://tracker.example/pixel.png');
    await settle();
    expect(view.container.textContent).toBe('Image from an unknown source was not loaded');
    expect(view.container.querySelector('img')).toBeNull();
    expect(api.callsOf('media.get')).toEqual([]);
  });

  it('says when the image cannot be loaded, and tries again once the channel is back online', async () => {
    let failing = true;
    const api = new FakeApi(
      {},
      {
        'media.get': () => (failing ? Promise.reject(offline) : { mime: 'image/png', data_base64: PNG_BASE64 }),
      },
    );
    const view = mount(api);
    await settle();
    expect(view.container.textContent).toBe('The image could not be loaded');
    expect(view.container.querySelector('[title]')!.getAttribute('title')).toBe('no connection');

    failing = false;
    act(() => {
      view.store.dispatch(
        channelStateChanged({ status: 'online', transport: 'ws', retry_at: null, last_error: null, since: NOW }),
      );
    });
    await settle();
    expect(view.container.querySelector('img')!.getAttribute('src')).toMatch(/^blob:/);
    expect(api.callsOf('media.get')).toHaveLength(2);
  });
});

describe('ImageBubble', () => {
  it('shows the thumbnail in a box sized from the full image, so the history does not jump when it loads', async () => {
    const api = new FakeApi();
    const view = mountBubbles(api, [{ url: PATH, mime: 'image/png' }]);
    await settle();
    expect(api.callsOf('media.get')).toEqual([{ url: PATH, variant: 'thumb' }]);
    const img = view.container.querySelector('img.bubble-image')!;
    expect(made.get(img.getAttribute('src')!)!.type).toBe('image/webp');
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['260', '130']);
  });

  it('asks for the full GIF, since a thumbnail would not animate', async () => {
    const api = new FakeApi();
    const view = mountBubbles(api, [
      { url: GIF_PATH, mime: 'image/gif' },
      { url: PATH, mime: 'image/png' },
    ]);
    await settle();
    expect(api.callsOf('media.get')).toEqual([{ url: GIF_PATH }, { url: PATH, variant: 'thumb' }]);
    const types = [...view.container.querySelectorAll('img.bubble-image')].map(
      (i) => made.get(i.getAttribute('src')!)!.type,
    );
    expect(types).toEqual(['image/png', 'image/webp']);
  });

  it('keeps a thumbnail and the full image apart, each fetched once and revoked when unmounted', async () => {
    const api = new FakeApi();
    const store = makeStore({ api, now: () => NOW });
    const both = (
      <Provider store={store}>
        <I18nextProvider i18n={createI18n('en')}>
          <ServerImage url={PATH} maxWidth={100} variant="thumb" />
          <ServerImage url={PATH} maxWidth={100} />
          <ServerImage url={PATH} maxWidth={100} variant="thumb" />
        </I18nextProvider>
      </Provider>
    );
    const view = render(both);
    await settle();
    expect(api.callsOf('media.get')).toEqual([{ url: PATH, variant: 'thumb' }, { url: PATH }]);
    const srcs = [...view.container.querySelectorAll('img')].map((i) => i.getAttribute('src')!);
    expect(srcs.map((src) => made.get(src)!.type)).toEqual(['image/webp', 'image/png', 'image/webp']);
    view.unmount();
    expect([...revoked].sort()).toEqual([...srcs].sort());
  });
});
