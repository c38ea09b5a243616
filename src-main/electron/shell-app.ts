import { open as openFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Electron from 'electron';
import type { LocalMessage, Settings } from '../../src-shared/ipc/contract';
import { countsTowardBadge } from '../../src-shared/ipc/unread';
import { ClientCore } from '../core/client-core';
import { systemClock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { systemRandom } from '../ports/random';
import { plainSecretBox } from '../ports/secrets';
import { RENDERER_CSP, APP_ENTRY_URL } from '../shell/app-protocol';
import { attentionFor } from '../shell/attention';
import { withShellFacts } from '../shell/core-adapter';
import { findLineLinkInArgv, parseLineLink, DEEP_LINK_SCHEME, type LineLink } from '../shell/deep-link';
import { linuxTrayAvailable, loginItem, parseNameHasOwner, startsHidden } from '../shell/desktop';
import { supportReport, type ShellFacts } from '../shell/diagnostics';
import { JsonFile } from '../shell/json-file';
import { linuxAutostartDir, setLinuxAutostart } from '../shell/linux-autostart';
import {
  commandLineLayer,
  environmentLayer,
  isEnforced,
  policyLayer,
  resolveManagedConfig,
  type ManagedConfig,
} from '../shell/managed-config';
import { probeNotificationSuppression } from '../shell/notification-suppression';
import { readMachinePolicy, type PolicyIo } from '../shell/policy-sources';
import { ProxyCredentialStore } from '../shell/proxy';
import { ProxyAgents } from '../shell/proxy-agent';
import { pauseUntil, type TrayIconKind, type TrayMenuId } from '../shell/tray-model';
import { updatePlan } from '../shell/update-policy';
import { appMenuTemplate } from './app-menu';
import { IpcBridge } from './ipc';
import { MainWindow } from './main-window';
import { ElectronNotifier } from './notifier';
import {
  ElectronLinkOpener,
  ElectronNetworkMonitor,
  ElectronPowerEvents,
  ElectronWindowState,
  safeStorageSecretBox,
} from './ports';
import { registerAppScheme, serveRenderer } from './renderer-protocol';
import { guardWebContents, hardenSession } from './security';
import { SystemProxy } from './system-proxy';
import { TrayController } from './tray';
import { Updater } from './updater';
import { APP_USER_MODEL_ID, ensureNotificationIdentity } from './windows-integration';

/** The parts of Electron the shell uses; main.ts passes the real module, tests a double. */
export type ElectronApi = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'Tray'
  | 'Menu'
  | 'Notification'
  | 'nativeImage'
  | 'net'
  | 'powerMonitor'
  | 'protocol'
  | 'session'
  | 'shell'
  | 'ipcMain'
  | 'safeStorage'
  | 'screen'
  | 'clipboard'
  | 'dialog'
>;
type AutoUpdater = ConstructorParameters<typeof Updater>[0];

export interface ShellHost {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  execPath: string;
  /** Folder holding dist/ and resources/ (inside app.asar when packaged). */
  appRoot: string;
  versions: Record<string, string>;
  /** e.g. "10.0.22631" (process.getSystemVersion() in Electron). */
  osVersion: string;
  /** electron-updater's autoUpdater, loaded lazily by main.ts (it touches Electron on import). */
  autoUpdater: () => AutoUpdater;
  /** Feed URL baked in at build time (MERCHANT_IM_UPDATE_URL when packaging), or null. */
  builtInFeedUrl: string | null;
  /** electron-log to rotating files under userData (main.ts passes createFileLogger). */
  createLogger: (userData: string) => { logger: Logger; file: string };
  /** Runs `reg`/`plutil`/`gdbus`/`gsettings` and reads policy files (main.ts passes nodePolicyIo). */
  io: PolicyIo;
}

/**
 * Everything that must happen before `ready`: privileged scheme, single-instance lock, deep-link
 * capture, and the guard on every webContents. Returns null when another instance owns the lock
 * (this one quits), else a promise that settles once the app has started or failed to.
 */
export function runShell(electron: ElectronApi, host: ShellHost): { ready: Promise<void> } | null {
  const { app } = electron;
  // A separate profile (tests, a second staff account on one machine); must precede the lock.
  if (host.env.MERCHANT_IM_USER_DATA_DIR) app.setPath('userData', host.env.MERCHANT_IM_USER_DATA_DIR);
  registerAppScheme(electron.protocol);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const links = new LinkInbox();
  links.push(findLineLinkInArgv(host.argv));
  app.on('open-url', (event, url) => {
    event.preventDefault();
    links.push(parseLineLink(url));
  });
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, (url) => void electron.shell.openExternal(url)),
  );
  const ready = app
    .whenReady()
    .then(() => startShell(electron, host, links))
    .catch((err: unknown) => {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      electron.dialog.showErrorBox('Merchant IM could not start', message);
      app.exit(1);
    });
  return { ready };
}

/** Deep links that arrive before the app can open them wait here (only the latest matters). */
export class LinkInbox {
  private pending: LineLink | null = null;
  private deliver: ((link: LineLink) => void) | null = null;

  push(link: LineLink | null): void {
    if (!link) return;
    if (this.deliver) this.deliver(link);
    else this.pending = link;
  }

  connect(deliver: (link: LineLink) => void): void {
    this.deliver = deliver;
    const link = this.pending;
    this.pending = null;
    if (link) deliver(link);
  }
}

async function startShell(electron: ElectronApi, host: ShellHost, links: LinkInbox): Promise<void> {
  const { app, session, protocol, shell, nativeImage } = electron;
  const userData = app.getPath('userData');
  const { logger: log, file: logFile } = host.createLogger(userData);
  const clock = systemClock;
  log.info({ versions: host.versions, platform: host.platform }, 'starting');

  const managed = await loadManagedConfig(host);
  for (const warning of managed.warnings) log.warn({ warning }, 'managed configuration');

  let identity: string | null = null;
  if (host.platform === 'win32') {
    identity =
      ensureNotificationIdentity({ app, shell, execPath: host.execPath, programData: host.env.ProgramData, log })
        ?.kind ?? null;
  }
  // Installers register the scheme on macOS and Linux; on Windows the app registers it per user.
  if (app.isPackaged && host.platform === 'win32') app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);

  hardenSession(session.defaultSession);
  serveRenderer(protocol, join(host.appRoot, 'dist', 'renderer'), RENDERER_CSP);

  const proxy = new SystemProxy(session.defaultSession, ProxyCredentialStore.fromEnvironment(host.env), log);
  proxy.installLoginHandler(app);
  const agents = new ProxyAgents((url) => proxy.route(url));

  const icon = (name: string) => nativeImage.createFromPath(join(host.appRoot, 'resources', name));
  const windowState = new ElectronWindowState();
  let mainWindow: MainWindow | null = null;
  const notifier = new ElectronNotifier({
    factory: {
      isSupported: () => electron.Notification.isSupported(),
      create: (options) => new electron.Notification(options),
    },
    platform: host.platform,
    focusApp: () => mainWindow?.showAndFocus(),
    icon: join(host.appRoot, 'resources', 'icons', '256x256.png'),
    onError: (err) => log.warn({ err: err.message }, 'notification failed'),
  });
  const core = new ClientCore({
    dataDir: userData,
    ports: {
      clock,
      random: systemRandom,
      network: new ElectronNetworkMonitor(electron.net, clock),
      power: new ElectronPowerEvents(electron.powerMonitor),
      window: windowState,
      notifier,
      secrets: safeStorageSecretBox(electron.safeStorage, plainSecretBox),
      links: new ElectronLinkOpener(shell),
      agents,
      log,
    },
    ...(managed.server_url.value
      ? { serverUrl: { url: managed.server_url.value, locked: managed.server_url_locked.value } }
      : {}),
    ...(managed.image_cache_mb.value !== null
      ? { config: { media: { cacheMaxBytes: managed.image_cache_mb.value * 1024 * 1024 } } }
      : {}),
    versions: host.versions,
  });

  const trayAvailable =
    host.platform === 'linux'
      ? linuxTrayAvailable({ env: host.env, statusNotifierWatcher: await statusNotifierWatcher(host.io) })
      : true;
  let settings: Settings = await core.invoke('settings.get', {});
  let updater: Updater | null = null;

  const shellFacts = async (): Promise<ShellFacts> => ({
    versions: {
      electron: host.versions.electron ?? '',
      chrome: host.versions.chrome ?? '',
      app: app.getVersion(),
      os: `${host.platform} ${host.osVersion}`,
      ...(identity ? { windows_shortcut: identity } : {}),
    },
    suppression: await probeNotificationSuppression(host.platform, host.io, APP_USER_MODEL_ID, homedir()),
    notificationsSupported: notifier.supported,
    managedWarnings: managed.warnings,
    updater: updater?.status ?? { state: 'disabled', detail: null },
    trayAvailable,
    at: clock.now(),
  });
  const shellCore = withShellFacts(core, shellFacts);
  const bridge = new IpcBridge(electron.ipcMain, shellCore, log);

  const trayIcons = Object.fromEntries(
    (['idle', 'unread', 'paused', 'offline'] as TrayIconKind[]).map((k) => [k, icon(`tray/${k}.png`)]),
  ) as Record<TrayIconKind, Electron.NativeImage>;
  const onTrayMenu = (id: TrayMenuId): void => {
    if (id === 'open') mainWindow?.showAndFocus();
    else if (id === 'quit') app.quit();
    else {
      const dnd_until = id === 'resume' ? null : pauseUntil(id, clock.now());
      void core
        .invoke('settings.set', { notifications: { ...settings.notifications, dnd_until } })
        .catch((err: unknown) => log.warn({ err: String(err) }, 'pause failed'));
    }
  };
  const tray = new TrayController({
    platform: host.platform,
    createTray: trayAvailable ? (image) => new electron.Tray(image) : null,
    buildMenu: (template) => electron.Menu.buildFromTemplate(template),
    icons: { tray: trayIcons, overlay: icon('tray/overlay.png') },
    setBadgeCount: (n) => app.setBadgeCount(n),
    window: () => mainWindow?.current ?? null,
    onMenu: onTrayMenu,
    onActivate: () => mainWindow?.showAndFocus(),
    initial: {
      unreadTotal: 0,
      pausedUntil: settings.notifications.dnd_until,
      connected: true,
      language: settings.language,
      now: clock.now(),
      formatTime: (ms) => new Date(ms).toLocaleTimeString(settings.language, { hour: '2-digit', minute: '2-digit' }),
    },
  });

  mainWindow = new MainWindow({
    createWindow: (options) => new electron.BrowserWindow(options),
    screen: electron.screen,
    stateFile: new JsonFile(join(userData, 'window-state.json')),
    preload: join(host.appRoot, 'dist', 'electron', 'preload.cjs'),
    entryUrl: APP_ENTRY_URL,
    icon: join(host.appRoot, 'resources', 'icons', '512x512.png'),
    devTools: !app.isPackaged,
    platform: host.platform,
    closeFacts: () => ({ closeToTray: settings.close_to_tray, trayAvailable: tray.available }),
    onClosed: () => {
      if (host.platform !== 'darwin') app.quit();
    },
    onCreated: (win) => {
      windowState.attach(win as Electron.BrowserWindow);
      bridge.trust(win.webContents);
      tray.refreshWindow();
    },
  });
  const window = mainWindow;

  const applySettings = (next: Settings): void => {
    settings = next;
    tray.update({ pausedUntil: next.notifications.dnd_until, language: next.language, now: clock.now() });
    const enforced = isEnforced(managed.start_at_login);
    const startAtLogin = enforced ? managed.start_at_login.value : next.start_at_login;
    if (app.isPackaged) {
      try {
        if (host.platform === 'linux')
          setLinuxAutostart(
            linuxAutostartDir(host.env, homedir()),
            startAtLogin,
            host.env.APPIMAGE ?? host.execPath,
            managed.start_hidden.value,
          );
        else app.setLoginItemSettings(loginItem(startAtLogin, managed.start_hidden.value, host.platform));
      } catch (err) {
        log.warn({ err: String(err) }, 'could not change start at login');
      }
    }
    if (enforced && next.start_at_login !== startAtLogin) {
      // Show the user the value IT chose rather than one that has no effect.
      void core.invoke('settings.set', { start_at_login: startAtLogin }).catch(() => {});
    }
  };
  applySettings(settings);
  core.subscribe('settings.changed', applySettings);
  core.subscribe('unread.changed', ({ total }) => tray.update({ unreadTotal: total, now: clock.now() }));
  core.subscribe('channel.state', (state) =>
    tray.update({ connected: state.status !== 'offline' && state.status !== 'backoff', now: clock.now() }),
  );
  core.subscribe('message.new', (message: LocalMessage) => {
    const request = attentionFor({
      senderRole: message.sender_role,
      messageTs: message.ts,
      window: windowState.get(),
      enabled: settings.flash_on_message,
      pausedUntil: settings.notifications.dnd_until,
      now: clock.now(),
      platform: host.platform,
    });
    if (request === 'flash-frame') window.current?.flashFrame(true);
    else if (request === 'bounce-dock') app.dock?.bounce('informational');
  });

  const openLine = (link: LineLink): void => {
    window.showAndFocus();
    bridge.emit('ui.openLine', { line_id: link.line_id, message_id: link.message_id });
  };
  app.on('second-instance', (_event, argv) => {
    window.showAndFocus();
    links.push(findLineLinkInArgv(argv));
  });
  app.on('activate', () => window.showAndFocus());
  app.on('window-all-closed', () => {
    if (host.platform !== 'darwin') app.quit();
  });

  const copyDiagnostics = async (): Promise<void> => {
    const reply = await shellCore.call('diagnostics.get', {});
    const text = supportReport(
      reply.ok ? (reply.result as Parameters<typeof supportReport>[0]) : emptyDiagnostics(clock.now()),
      managed,
      await readTail(logFile, 64 * 1024),
      clock.now(),
    );
    electron.clipboard.writeText(text);
  };
  electron.Menu.setApplicationMenu(
    electron.Menu.buildFromTemplate(
      appMenuTemplate(host.platform, !app.isPackaged, {
        copyDiagnostics: () =>
          void copyDiagnostics().catch((err: unknown) => log.warn({ err: String(err) }, 'copy diagnostics failed')),
        openLogFolder: () => void shell.openPath(dirname(logFile)),
        quit: () => app.quit(),
      }),
    ),
  );

  const plan = updatePlan(managed, { packaged: app.isPackaged, builtInFeedUrl: host.builtInFeedUrl });
  if (plan.enabled) {
    try {
      updater = new Updater(host.autoUpdater(), plan, clock, systemRandom, log);
      updater.start();
    } catch (err) {
      log.warn({ err: String(err) }, 'updater unavailable');
    }
  }

  let shutDown = false;
  app.on('before-quit', () => window.prepareToQuit());
  app.on('will-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    updater?.dispose();
    tray.dispose();
    bridge.dispose();
    void core
      .dispose()
      .catch((err: unknown) => log.error({ err: String(err) }, 'core shutdown failed'))
      .finally(() => {
        agents.dispose();
        shutDown = true;
        app.quit();
      });
  });

  const refreshUnread = async (): Promise<void> => {
    const lines = await core.invoke('lines.list', {}).catch(() => []);
    const me = (await core.invoke('session.get', {})).user?.uid ?? null;
    const total = lines.reduce((sum, line) => sum + (countsTowardBadge(line, me) ? line.unread : 0), 0);
    tray.update({ unreadTotal: total, now: clock.now() });
  };
  // Restoring the stored session is quick (no network), so the page opens on the right screen.
  await core.start();
  core.subscribe('session.changed', () => void refreshUnread());

  const hidden = startsHidden(host.argv, app.getLoginItemSettings().wasOpenedAsHidden) && tray.available;
  window.open(!hidden);
  links.connect(openLine);
  await refreshUnread();
  log.info({ hidden, trayAvailable, policy: policySummary(managed) }, 'started');
}

async function loadManagedConfig(host: ShellHost): Promise<ManagedConfig> {
  const policy = await readMachinePolicy(host.platform, host.io).catch((err: unknown) => ({
    values: {},
    origin: 'policy',
    warnings: [`policy could not be read: ${String(err)}`],
  }));
  const policyParsed = policyLayer(policy.values, policy.origin);
  return resolveManagedConfig({
    commandLine: commandLineLayer(host.argv),
    environment: environmentLayer(host.env),
    policy: { layer: policyParsed.layer, warnings: [...policy.warnings, ...policyParsed.warnings] },
    user: {},
  });
}

function policySummary(managed: ManagedConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(managed)
      .filter(([k]) => k !== 'warnings')
      .map(([k, v]) => [k, (v as { source: string }).source]),
  );
}

/** Whether a StatusNotifierWatcher (the modern tray host) runs on the session bus. */
async function statusNotifierWatcher(io: PolicyIo): Promise<boolean | null> {
  try {
    const result = await io.run('gdbus', [
      'call',
      '--session',
      '--dest',
      'org.freedesktop.DBus',
      '--object-path',
      '/org/freedesktop/DBus',
      '--method',
      'org.freedesktop.DBus.NameHasOwner',
      'org.kde.StatusNotifierWatcher',
    ]);
    return result.code === 0 ? parseNameHasOwner(result.stdout) : null;
  } catch {
    return null;
  }
}

async function readTail(file: string, bytes: number): Promise<string> {
  try {
    const handle = await openFile(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - bytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '(no log file)';
  }
}

function emptyDiagnostics(now: number): Parameters<typeof supportReport>[0] {
  return {
    versions: {},
    channel: { status: 'stopped', transport: null, retry_at: null, last_error: null, since: now },
    recent_errors: [],
    topic_counters: {},
    notifications: { supported: false, suppressed_reason: null },
  };
}
