// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lineClosed } from '../../src-renderer/features/lines/linesSlice';
import { IMAGES } from '../support/media';
import { FakeApi } from './support/fakeApi';
import { makeLine, makeMessage } from './support/fixtures';
import { stubObjectUrls } from './support/objectUrls';
import { installLayout, mountApp } from './support/render';

const PHOTO = `/v1/media/${'f0'.repeat(32)}.jpg`;
const FULL = { mime: 'image/png' as const, data_base64: IMAGES['image/png'].toString('base64') };

beforeAll(() => installLayout());
beforeEach(() => void stubObjectUrls());
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Two lines; L1, open, holds one photo. */
async function workspace() {
  const api = new FakeApi(
    {
      lines: [makeLine(1, { customer_name: 'Ann' }), makeLine(2, { customer_name: 'Bo' })],
      history: {
        L1: [
          makeMessage('L1', { content: { type: 'image', url: PHOTO, width: 300, height: 200, mime: 'image/jpeg' } }),
        ],
      },
    },
    { 'media.get': () => FULL },
  );
  const app = await mountApp(api);
  fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L1"]')!);
  await app.settle();
  return app;
}

/** Presses a key where focus is; false when the dialog kept the browser from acting on it. */
const press = (key: string, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(document.activeElement!, { key, ...init });

describe('keyboard help overlay', () => {
  it('is modal: focus moves in, Tab stays in, page shortcuts wait, Escape gives focus back', async () => {
    const app = await workspace();
    const list = screen.getByRole('listbox');
    list.focus();
    press('?', { shiftKey: true });
    await app.settle();
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const close = within(dialog).getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);

    // Tab and Shift+Tab cycle over the dialog's one control; the browser never moves focus out.
    expect(press('Tab')).toBe(false);
    expect(document.activeElement).toBe(close);
    expect(press('Tab', { shiftKey: true })).toBe(false);
    expect(document.activeElement).toBe(close);
    // Focus that got out some other way is pulled back in by the next Tab.
    screen.getByRole('textbox', { name: /Type a reply/ }).focus();
    press('Tab');
    expect(document.activeElement).toBe(close);

    press('ArrowDown', { altKey: true });
    await app.settle();
    expect(app.store.getState().lines.selectedId).toBe('L1');

    press('Escape');
    await app.settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(list);
  });

  it('closes again on ?, and gives focus back to the button that opened it', async () => {
    const app = await workspace();
    const help = screen.getByRole('button', { name: /Keyboard shortcuts/ });
    help.focus();
    fireEvent.click(help);
    await app.settle();
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);
    press('?', { shiftKey: true });
    await app.settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(help);
  });
});

describe('image viewer, when the bubble that opened it is gone', () => {
  async function viewPhoto() {
    const app = await workspace();
    const opener = within(screen.getByRole('log')).getByRole('button', { name: 'Open the full image' });
    opener.focus();
    fireEvent.click(opener);
    await app.settle();
    expect(screen.getByRole('dialog', { name: 'Image' }).contains(document.activeElement)).toBe(true);
    return app;
  }

  it('gives focus to the conversation now open', async () => {
    const app = await viewPhoto();
    // A click behind the backdrop cannot happen in a browser; the store cannot tell the difference.
    fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L2"]')!);
    await app.settle();
    press('Escape');
    await app.settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    const log = screen.getByRole('log');
    expect(log.querySelector('.bubble-image-open')).toBeNull();
    expect(document.activeElement).toBe(log);
  });

  it('gives focus to the line list when no conversation is open', async () => {
    const app = await viewPhoto();
    act(() => void app.store.dispatch(lineClosed()));
    await app.settle();
    press('Escape');
    await app.settle();
    expect(screen.queryByRole('log')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('listbox'));
  });
});
