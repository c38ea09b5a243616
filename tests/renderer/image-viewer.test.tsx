// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcError, type IpcArgs, type IpcResult } from '../../src-shared/ipc';
import { IMAGES } from '../support/media';
import { FakeApi } from './support/fakeApi';
import { makeLine, makeMessage } from './support/fixtures';
import { stubObjectUrls } from './support/objectUrls';
import { installLayout, mountApp } from './support/render';

const PHOTO = `/v1/media/${'e1'.repeat(32)}.jpg`;
const THUMB = { mime: 'image/webp' as const, data_base64: 'UklGRg==' };
const FULL = { mime: 'image/png' as const, data_base64: IMAGES['image/png'].toString('base64') };

let made: Map<string, Blob>;
let revoked: string[];
beforeAll(() => installLayout());
beforeEach(() => {
  ({ made, revoked } = stubObjectUrls());
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

type MediaGet = (args: IpcArgs<'media.get'>) => Promise<IpcResult<'media.get'>>;

/** A conversation whose one message is a 3000×2000 photo; `full` answers media.get without a variant. */
async function openPhoto(full: MediaGet = () => Promise.resolve(FULL)) {
  const api = new FakeApi(
    {
      lines: [makeLine(1, { customer_name: 'Ann' }), makeLine(2, { customer_name: 'Bo' })],
      history: {
        L1: [
          makeMessage('L1', { content: { type: 'image', url: PHOTO, width: 3000, height: 2000, mime: 'image/jpeg' } }),
        ],
      },
    },
    { 'media.get': (args) => (args.variant === 'thumb' ? THUMB : full(args)) },
  );
  const app = await mountApp(api);
  fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L1"]')!);
  await app.settle();
  const opener = within(screen.getByRole('log')).getByRole('button', { name: 'Open the full image' });
  return { app, api, opener };
}

const typeOf = (img: Element | null) => made.get(img!.getAttribute('src')!)!.type;

describe('image viewer', () => {
  it('opens on the bubble, shows the thumbnail while the full image loads, then the full image fitted to the window', async () => {
    let answer!: () => void;
    const { app, api, opener } = await openPhoto(() => new Promise((r) => (answer = () => r(FULL))));
    expect(typeOf(opener.querySelector('img'))).toBe('image/webp');

    fireEvent.click(opener);
    await app.settle();
    const dialog = screen.getByRole('dialog', { name: 'Image' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: /Close/ }));
    expect(api.callsOf('media.get')).toEqual([{ url: PHOTO, variant: 'thumb' }, { url: PHOTO }]);
    expect(within(dialog).getByRole('status').textContent).toBe('Loading the full image…');
    expect(typeOf(dialog.querySelector('img'))).toBe('image/webp');

    answer();
    await app.settle();
    const img = dialog.querySelector('img')!;
    expect(typeOf(img)).toBe('image/png');
    // jsdom's window is 1024×768: 92 % of its width bounds a 3:2 photo.
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['942', '628']);
    expect(within(dialog).queryByRole('status')).toBeNull();
    // Saving uses the full image already here, under a name people can read.
    const save = within(dialog).getByRole('link', { name: /Save/ });
    expect(save.getAttribute('href')).toBe(img.getAttribute('src'));
    expect(save.getAttribute('download')).toMatch(/^image-\d{4}-\d{2}-\d{2}\.(png|jpg|webp|gif)$/);
  });

  it('closes on Escape, gives focus back to the bubble and frees the full image', async () => {
    const { app, opener } = await openPhoto();
    opener.focus();
    fireEvent.click(opener);
    await app.settle();
    const fullSrc = screen.getByRole('dialog').querySelector('img')!.getAttribute('src')!;
    expect(made.get(fullSrc)!.type).toBe('image/png');

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await app.settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(revoked).toContain(fullSrc);
  });

  it('closes with its button or a click on the backdrop, not a click on the image', async () => {
    const { app, opener } = await openPhoto();
    fireEvent.click(opener);
    await app.settle();
    fireEvent.click(screen.getByRole('dialog').querySelector('img')!);
    expect(screen.queryByRole('dialog')).not.toBeNull();
    fireEvent.click(screen.getByRole('dialog'));
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.click(opener);
    await app.settle();
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: /Close/ }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the conversation shortcuts from acting behind it', async () => {
    const { app, opener } = await openPhoto();
    fireEvent.click(opener);
    await app.settle();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', altKey: true });
    fireEvent.keyDown(document.body, { key: '?', shiftKey: true });
    await app.settle();
    expect(app.store.getState().lines.selectedId).toBe('L1');
    expect(screen.getAllByRole('dialog')).toHaveLength(1);

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', altKey: true });
    await app.settle();
    expect(app.store.getState().lines.selectedId).toBe('L2');
  });

  it('says why the full image failed and fetches it again on Retry', async () => {
    let failing = true;
    const notFound = new IpcError({ code: 'NOT_FOUND', message: 'gone', temporary: false, retry_after_ms: null });
    const { app, api, opener } = await openPhoto(() => (failing ? Promise.reject(notFound) : Promise.resolve(FULL)));
    fireEvent.click(opener);
    await app.settle();
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('alert').textContent).toContain(
      'The full image could not be loaded. It no longer exists, or was moved to someone else.',
    );

    failing = false;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(typeOf(dialog.querySelector('img'))).toBe('image/png');
    expect(api.callsOf('media.get').filter((a) => a.variant === undefined)).toHaveLength(2);
    expect(dialog.contains(document.activeElement)).toBe(true);
  });
});
