import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID, ensureNotificationIdentity } from '../../src-main/electron/windows-integration';
import { ATTENTION_FRESH_MS, attentionFor } from '../../src-main/shell/attention';
import {
  closeAction,
  linuxAutostartEntry,
  linuxTrayAvailable,
  loginItem,
  parseNameHasOwner,
  startsHidden,
} from '../../src-main/shell/desktop';
import { linuxAutostartDir, setLinuxAutostart } from '../../src-main/shell/linux-autostart';
import {
  macFocusSuppression,
  probeNotificationSuppression,
  windowsSuppression,
} from '../../src-main/shell/notification-suppression';
import { shortcutAction } from '../../src-main/shell/windows-shortcut';
import { windowsToastXml } from '../../src-main/shell/windows-toast';
import { nextUpdateCheckDelay, updatePlan, UPDATE_CHECK } from '../../src-main/shell/update-policy';
import type { PolicyIo } from '../../src-main/shell/policy-sources';

describe('Linux tray detection and closing the window', () => {
  it('trusts a StatusNotifierWatcher, and knows stock GNOME and Wayland without one show no tray', () => {
    expect(linuxTrayAvailable({ env: { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, statusNotifierWatcher: true })).toBe(
      true,
    );
    expect(linuxTrayAvailable({ env: { XDG_CURRENT_DESKTOP: 'GNOME' }, statusNotifierWatcher: false })).toBe(false);
    expect(linuxTrayAvailable({ env: { XDG_CURRENT_DESKTOP: 'GNOME' }, statusNotifierWatcher: null })).toBe(false);
    expect(
      linuxTrayAvailable({
        env: { XDG_CURRENT_DESKTOP: 'XFCE', XDG_SESSION_TYPE: 'x11' },
        statusNotifierWatcher: false,
      }),
    ).toBe(true);
    expect(
      linuxTrayAvailable({
        env: { XDG_CURRENT_DESKTOP: 'sway', XDG_SESSION_TYPE: 'wayland' },
        statusNotifierWatcher: false,
      }),
    ).toBe(false);
    expect(linuxTrayAvailable({ env: {}, statusNotifierWatcher: null })).toBe(false);
    expect(parseNameHasOwner('(true,)\n')).toBe(true);
    expect(parseNameHasOwner('(false,)')).toBe(false);
    expect(parseNameHasOwner('Error: no bus')).toBeNull();
  });

  it('hides to the tray only when configured and a tray exists, else closes (hides on macOS)', () => {
    const base = { quitting: false, closeToTray: true, trayAvailable: true, platform: 'win32' as const };
    expect(closeAction(base)).toBe('hide');
    expect(closeAction({ ...base, quitting: true })).toBe('close');
    expect(closeAction({ ...base, closeToTray: false })).toBe('close');
    expect(closeAction({ ...base, platform: 'linux', trayAvailable: false })).toBe('close');
    expect(closeAction({ ...base, platform: 'darwin', closeToTray: false })).toBe('hide');
  });

  it('starts at login, hidden via argument on Windows/Linux and via openAsHidden on macOS', () => {
    expect(loginItem(true, true, 'win32')).toEqual({ openAtLogin: true, openAsHidden: false, args: ['--hidden'] });
    expect(loginItem(true, true, 'darwin')).toEqual({ openAtLogin: true, openAsHidden: true, args: [] });
    expect(loginItem(false, true, 'linux')).toEqual({ openAtLogin: false, openAsHidden: false, args: [] });
    expect(startsHidden(['app.exe', '--hidden'], false)).toBe(true);
    expect(startsHidden(['app.exe'], true)).toBe(true);
    expect(startsHidden(['app.exe'], false)).toBe(false);
  });
});

describe('window flash / dock bounce on a new customer message', () => {
  const background = { focused: false, minimised: false, visible: true };
  const input = {
    senderRole: 'customer' as const,
    messageTs: 900,
    window: background,
    enabled: true,
    pausedUntil: null,
    now: 1000,
    platform: 'win32' as const,
  };
  it('asks for attention only for customers, in the background, when enabled and not paused', () => {
    expect(attentionFor(input)).toBe('flash-frame');
    expect(attentionFor({ ...input, platform: 'darwin' })).toBe('bounce-dock');
    expect(attentionFor({ ...input, senderRole: 'staff' })).toBe('none');
    expect(attentionFor({ ...input, window: { focused: true, minimised: false, visible: true } })).toBe('none');
    expect(attentionFor({ ...input, window: { focused: true, minimised: true, visible: true } })).toBe('flash-frame');
    expect(attentionFor({ ...input, enabled: false })).toBe('none');
    expect(attentionFor({ ...input, pausedUntil: 2000 })).toBe('none');
    expect(attentionFor({ ...input, pausedUntil: 500 })).toBe('flash-frame');
    expect(attentionFor({ ...input, now: 900 + ATTENTION_FRESH_MS + 1 })).toBe('none');
  });
});

describe('Windows notifications plumbing', () => {
  const facts = {
    perUser: null,
    allUsers: null,
    appUserModelId: 'com.merchantim.desktop',
    execPath: 'C:\\Users\\a\\AppData\\Local\\Programs\\merchant-im\\Merchant IM.exe',
  };
  it('leaves a matching Start-menu shortcut alone and repairs or creates one otherwise', () => {
    const good = { target: facts.execPath.toUpperCase(), appUserModelId: 'com.merchantim.desktop' };
    expect(shortcutAction({ ...facts, perUser: good })).toEqual({ kind: 'ok', where: 'per-user' });
    expect(shortcutAction({ ...facts, allUsers: good })).toEqual({ kind: 'ok', where: 'all-users' });
    expect(shortcutAction({ ...facts, perUser: { ...good, appUserModelId: undefined } })).toMatchObject({
      kind: 'write',
      operation: 'update',
    });
    expect(shortcutAction({ ...facts, allUsers: { ...good, appUserModelId: 'electron.app.Electron' } })).toMatchObject({
      kind: 'write',
      operation: 'create',
    });
    expect(shortcutAction(facts)).toEqual({
      kind: 'write',
      operation: 'create',
      reason: 'no Start-menu shortcut found',
    });
  });

  it('builds a protocol-activated toast with escaped text', () => {
    const xml = windowsToastXml({
      title: 'Zhang <VIP> & co',
      body: 'Room "A"\u0007?',
      launchUrl: 'merchant-im://line/L1?message=M&x',
      silent: true,
    });
    expect(xml).toBe(
      '<toast launch="merchant-im://line/L1?message=M&amp;x" activationType="protocol"><visual><binding template="ToastGeneric">' +
        '<text>Zhang &lt;VIP&gt; &amp; co</text><text>Room &quot;A&quot;?</text></binding></visual><audio silent="true"/></toast>',
    );
    expect(windowsToastXml({ title: 't', body: 'b', launchUrl: 'u', silent: false })).toContain(
      'ms-winsoundevent:Notification.IM',
    );
  });

  it('reads when the OS suppresses notifications, where it can', async () => {
    expect(windowsSuppression({ ToastEnabled: 0 }, {}, {}).suppressed).toMatch(/turned off/);
    expect(windowsSuppression({ ToastEnabled: 1 }, { NOC_GLOBAL_SETTING_TOASTS_ENABLED: 0 }, {}).suppressed).toMatch(
      /Do not disturb/,
    );
    expect(windowsSuppression({}, {}, { Enabled: 0 }).suppressed).toMatch(/Merchant IM are turned off/);
    expect(windowsSuppression({}, {}, {})).toEqual({ suppressed: null, detectable: true });
    expect(macFocusSuppression('{"data":[{"storeAssertionRecords":[{"assertionDetails":{}}]}]}').suppressed).toMatch(
      /Focus/,
    );
    expect(macFocusSuppression('{"data":[{"storeAssertionRecords":[]}]}')).toEqual({
      suppressed: null,
      detectable: true,
    });

    const gnome = (stdout: string, code = 0): PolicyIo => ({
      run: () => Promise.resolve({ code, stdout }),
      readText: () => Promise.resolve(null),
    });
    expect(await probeNotificationSuppression('linux', gnome('false\n'), 'x', '/home/a')).toEqual({
      suppressed: 'GNOME "Do Not Disturb" is on.',
      detectable: true,
    });
    expect(await probeNotificationSuppression('linux', gnome('true\n'), 'x', '/home/a')).toEqual({
      suppressed: null,
      detectable: true,
    });
    expect(await probeNotificationSuppression('linux', gnome('', 1), 'x', '/home/a')).toEqual({
      suppressed: null,
      detectable: false,
    });
    const broken: PolicyIo = { run: () => Promise.reject(new Error('ENOENT')), readText: () => Promise.resolve(null) };
    expect(await probeNotificationSuppression('win32', broken, 'x', 'C:\\')).toEqual({
      suppressed: null,
      detectable: false,
    });
  });
});

describe('update plan', () => {
  const config = {
    auto_update: { value: true, source: 'default' as const },
    update_url: { value: 'https://updates.corp/merchant-im', source: 'policy' as const },
    update_channel: { value: 'beta' as const, source: 'policy' as const },
  };
  it('follows the feed IT set, and turns off by policy, in development and without a URL', () => {
    expect(updatePlan(config, { packaged: true, builtInFeedUrl: null })).toEqual({
      enabled: true,
      feed: { provider: 'generic', url: 'https://updates.corp/merchant-im', channel: 'beta' },
      allowPrerelease: true,
    });
    expect(
      updatePlan(
        { ...config, auto_update: { value: false, source: 'policy' } },
        { packaged: true, builtInFeedUrl: null },
      ),
    ).toEqual({ enabled: false, reason: 'auto-update disabled by policy' });
    expect(updatePlan(config, { packaged: false, builtInFeedUrl: null })).toMatchObject({ enabled: false });
    expect(
      updatePlan(
        { ...config, update_url: { value: null, source: 'default' } },
        { packaged: true, builtInFeedUrl: null },
      ),
    ).toEqual({ enabled: false, reason: 'no update URL configured' });
    expect(
      updatePlan(
        { ...config, update_url: { value: null, source: 'default' } },
        { packaged: true, builtInFeedUrl: 'https://b' },
      ),
    ).toMatchObject({ enabled: true, feed: { url: 'https://b' } });
  });

  it('spreads checks with jitter', () => {
    expect(nextUpdateCheckDelay(true, () => 0)).toBe(UPDATE_CHECK.firstDelayMs);
    expect(nextUpdateCheckDelay(false, () => 0.5)).toBe(UPDATE_CHECK.everyMs + UPDATE_CHECK.jitterMs / 2);
  });
});

describe('Windows notification identity at start-up', () => {
  const setup = (packaged: boolean, shortcuts: Record<string, { target: string; appUserModelId?: string }>) => {
    const written: [string, string, object][] = [];
    const ids: string[] = [];
    const action = ensureNotificationIdentity({
      app: {
        setAppUserModelId: (id: string) => ids.push(id),
        getPath: () => 'C:\\Users\\a\\AppData\\Roaming',
        isPackaged: packaged,
      },
      shell: {
        readShortcutLink: (path: string) => {
          const link = shortcuts[path];
          if (!link) throw new Error('Failed to read shortcut link');
          return link;
        },
        writeShortcutLink: ((path: string, operation: string, options: object) => (
          written.push([path, operation, options]),
          true
        )) as never,
      },
      execPath: 'C:\\Program Files\\Merchant IM\\merchant-im.exe',
      programData: 'C:\\ProgramData',
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    return { action, written, ids };
  };
  const perUser = join(
    'C:\\Users\\a\\AppData\\Roaming',
    'Microsoft',
    'Windows',
    'Start Menu',
    'Programs',
    'Merchant IM.lnk',
  );
  const allUsers = join('C:\\ProgramData', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Merchant IM.lnk');

  it('declares the AppUserModelID and leaves a good installer shortcut alone', () => {
    const { action, written, ids } = setup(true, {
      [allUsers]: { target: 'C:\\Program Files\\Merchant IM\\merchant-im.exe', appUserModelId: APP_USER_MODEL_ID },
    });
    expect(ids).toEqual([APP_USER_MODEL_ID]);
    expect(action).toEqual({ kind: 'ok', where: 'all-users' });
    expect(written).toEqual([]);
  });

  it('repairs a shortcut without the id, and creates one where none exists', () => {
    const repaired = setup(true, { [perUser]: { target: 'C:\\Program Files\\Merchant IM\\merchant-im.exe' } });
    expect(repaired.written).toEqual([
      [
        perUser,
        'update',
        {
          target: 'C:\\Program Files\\Merchant IM\\merchant-im.exe',
          appUserModelId: APP_USER_MODEL_ID,
          description: 'Merchant IM',
        },
      ],
    ]);
    const created = setup(true, {});
    expect(created.written.map((w) => w[1])).toEqual(['create']);
  });

  it('touches no shortcut from a development build', () => {
    const dev = setup(false, {});
    expect(dev.action).toBeNull();
    expect(dev.written).toEqual([]);
    expect(dev.ids).toEqual([APP_USER_MODEL_ID]);
  });
});

describe('Linux start at login (XDG autostart)', () => {
  it('writes an entry that starts the AppImage or executable, hidden when asked, and removes it', () => {
    const home = mkdtempSync(join(tmpdir(), 'mim-autostart-'));
    try {
      const dir = linuxAutostartDir({}, home);
      expect(dir).toBe(join(home, '.config', 'autostart'));
      expect(linuxAutostartDir({ XDG_CONFIG_HOME: '/x' }, home)).toBe(join('/x', 'autostart'));
      setLinuxAutostart(dir, true, '/home/a/Apps/Merchant IM-1.0.AppImage', true);
      const entry = readFileSync(join(dir, 'merchant-im.desktop'), 'utf8');
      expect(entry).toContain('Exec="/home/a/Apps/Merchant IM-1.0.AppImage" --hidden\n');
      expect(entry.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
      setLinuxAutostart(dir, false, '', false);
      expect(existsSync(join(dir, 'merchant-im.desktop'))).toBe(false);
      setLinuxAutostart(dir, false, '', false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('escapes what the Desktop Entry spec requires', () => {
    expect(linuxAutostartEntry('/usr/bin/merchant-im', false)).toContain('Exec=/usr/bin/merchant-im\n');
    expect(linuxAutostartEntry('/opt/x/$a"b`c 100%', false)).toContain('Exec="/opt/x/\\\\$a\\\\"b\\\\`c 100%%"\n');
  });
});
