import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src-main/shell/app-protocol';
import type { PolicyIo } from '../../src-main/shell/policy-sources';
import { rid, startTestServer, TEST_PASSWORD, type TestServer } from '../support/test-server';
import { FakeNotification, FakeTray } from './fake-electron';
import { startShell, stopShells } from './shell-harness';

/**
 * The `_electron` suite's story (sign in, receive a message, notification while unfocused, tray
 * badge, quit) run here: the whole shell on the in-memory Electron, the real client core, and the
 * real IM server on loopback, with a customer speaking the wire protocol.
 */
const noPolicyIo: PolicyIo = {
  readText: () => Promise.resolve(null),
  run: (file) =>
    Promise.resolve(
      file === 'gdbus'
        ? { code: 0, stdout: '(true,)\n' }
        : file === 'gsettings'
          ? { code: 0, stdout: 'true\n' }
          : { code: 1, stdout: '' },
    ),
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.addMerchant('m-live', 'Live Hotel');
  await t.addObject({ object_id: 'room-live', kind: 'room', merchant_id: 'm-live', title: 'Garden Room' });
  await t.addStaff('live-staff', 'm-live', { display_name: 'Lena' });
  await t.addCustomer('live-customer', { display_name: 'Chen Jing' });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});
afterEach(stopShells);

describe('the shell against the real IM server', () => {
  it('signs in, then a customer message while unfocused raises a notification, flashes and badges; quits cleanly', async () => {
    const s = await startShell(['electron', 'dist/electron/main.cjs'], {}, noPolicyIo);
    s.subscribe('ui.openLine');
    const signedIn = await s.invoke('session.signIn', {
      server_url: t.url,
      account: 'live-staff',
      password: TEST_PASSWORD,
    });
    expect(signedIn.ok).toBe(true);
    // Images reach the page as blob: URLs from the core, so the CSP names no server and stays as it was.
    const csp = (await s.protocolHandlers.get('app')!(new Request('app://merchant-im/index.html'))).headers.get(
      'content-security-policy',
    );
    expect(csp).toBe(RENDERER_CSP);
    expect(csp).not.toContain(new URL(t.url).host);

    // The user closes the window: it goes to the tray.
    s.win.userClose();
    expect(s.win.visible).toBe(false);

    const customer = await t.connectWs('live-customer');
    const sent = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-live', busi_type: 'consult' },
      content: { type: 'text', text: 'Is the garden room quiet?' },
    });
    const lineId = sent.line.line_id;

    await expect
      .poll(() => FakeNotification.shown.map((n) => `${n.options.title} | ${n.options.body}`), { timeout: 15_000 })
      .toEqual([expect.stringMatching(/Chen Jing.*\| .*Is the garden room quiet\?/)]);
    await expect.poll(() => s.app.badge).toBe(1);
    const tray = FakeTray.last!;
    expect((tray.image as { path: string }).path).toMatch(/tray\/unread\.png$/);
    expect(tray.tooltip).toContain('1 unread message');
    expect(s.win.flashed).toBe(true);

    // A second message updates the line's notification rather than stacking another.
    await customer.request('send', {
      random_id: rid(),
      line_id: lineId,
      content: { type: 'text', text: 'And is breakfast included?' },
    });
    await expect.poll(() => s.app.badge, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => FakeNotification.shown.length).toBe(2);
    expect(FakeNotification.shown.map((n) => n.closed)).toEqual([true, false]);
    expect(FakeNotification.shown[1]!.options.title).toContain('Chen Jing');

    // Clicking it brings the window back on that conversation.
    FakeNotification.shown[1]!.emit('click');
    expect(s.win.visible).toBe(true);
    await expect
      .poll(() => s.win.webContents.events().filter(([topic]) => topic === 'ui.openLine'))
      .toEqual([['ui.openLine', { line_id: lineId, message_id: expect.any(String) }]]);

    // Reading the line clears the badge.
    expect((await s.invoke('line.markRead', { line_id: lineId })).ok).toBe(true);
    await expect.poll(() => s.app.badge).toBe(0);

    s.app.quit();
    await expect.poll(() => s.app.calls).toContain('quit');
    expect(s.electron.ipcMain.handlers.size).toBe(0);
  });
});
