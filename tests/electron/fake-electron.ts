import { EventEmitter } from 'node:events';
import type {
  BrowserWindowConstructorOptions,
  MenuItemConstructorOptions,
  NotificationConstructorOptions,
} from 'electron';
import { FakeIpcMain, FakeWebContents } from './fakes';

/**
 * An in-memory Electron for the composition test: enough of app, protocol, session, windows,
 * tray, menus and notifications for runShell to start, serve IPC and quit, recording what the
 * shell asked of it.
 */
export class FakeApp extends EventEmitter {
  readonly paths = new Map<string, string>();
  readonly calls: string[] = [];
  badge = 0;
  loginItem: unknown = null;
  quitCount = 0;
  exited: number | null = null;
  readonly isPackaged = false;
  readonly dock = undefined;
  constructor(
    userData: string,
    private readonly hasLock = true,
  ) {
    super();
    this.paths.set('userData', userData);
    this.paths.set('appData', userData);
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? '/nonexistent';
  }
  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getVersion(): string {
    return '0.1.0';
  }
  setBadgeCount(n: number): boolean {
    this.badge = n;
    return true;
  }
  getLoginItemSettings() {
    return { wasOpenedAsHidden: false };
  }
  setLoginItemSettings(settings: unknown): void {
    this.loginItem = settings;
  }
  setAsDefaultProtocolClient(): boolean {
    return true;
  }
  setAppUserModelId(): void {}
  /** Electron's quit sequence: before-quit, then will-quit, which a handler may defer. */
  quit(): void {
    this.quitCount++;
    this.emit('before-quit', { preventDefault: () => {} });
    let deferred = false;
    this.emit('will-quit', { preventDefault: () => (deferred = true) });
    if (!deferred) this.calls.push('quit');
  }
  exit(code: number): void {
    this.exited = code;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static nextId = 1;
  readonly webContents: FakeWebContents;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  loaded: string | null = null;
  flashed = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.webContents = new FakeWebContents(FakeBrowserWindow.nextId++);
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded = url;
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.emit('hide');
  }
  focus(): void {
    this.focused = true;
    this.emit('focus');
  }
  blur(): void {
    this.focused = false;
    this.emit('blur');
  }
  restore(): void {
    this.minimized = false;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMaximized(): boolean {
    return false;
  }
  isFullScreen(): boolean {
    return false;
  }
  maximize(): void {}
  setFullScreen(): void {}
  getNormalBounds() {
    return {
      x: this.options.x ?? 0,
      y: this.options.y ?? 0,
      width: this.options.width ?? 800,
      height: this.options.height ?? 600,
    };
  }
  flashFrame(flag: boolean): void {
    this.flashed = flag;
  }
  setOverlayIcon(): void {}
  /** The user clicks the window's close button. */
  userClose(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.webContents.destroy();
      this.emit('closed');
    }
  }
}

export class FakeTray extends EventEmitter {
  static last: FakeTray | null = null;
  image: unknown;
  tooltip = '';
  menu: MenuItemConstructorOptions[] = [];
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.last = this;
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: MenuItemConstructorOptions[]): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  clickMenu(id: string): void {
    const item = this.menu.find((i) => i.id === id);
    if (!item?.click) throw new Error(`no tray menu item ${id}`);
    (item.click as () => void)();
  }
}

export class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  closed = false;
  show(): void {
    FakeNotification.shown.push(this);
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

export function fakeElectron(userData: string, options: { hasLock?: boolean } = {}) {
  FakeBrowserWindow.all = [];
  FakeTray.last = null;
  FakeNotification.shown = [];
  const app = new FakeApp(userData, options.hasLock ?? true);
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const privileged: unknown[] = [];
  const clipboard: string[] = [];
  const errors: string[] = [];
  let appMenu: MenuItemConstructorOptions[] = [];
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => template,
      setApplicationMenu: (menu: MenuItemConstructorOptions[]) => (appMenu = menu),
    },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    net: { isOnline: () => true },
    powerMonitor: new EventEmitter(),
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) =>
        protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: Object.assign(new EventEmitter(), {
        setPermissionRequestHandler: () => {},
        setPermissionCheckHandler: () => {},
        resolveProxy: () => Promise.resolve('DIRECT'),
      }),
    },
    shell: {
      openExternal: () => Promise.resolve(),
      openPath: () => Promise.resolve(''),
      readShortcutLink: () => ({ target: '' }),
      writeShortcutLink: () => true,
    },
    ipcMain: new FakeIpcMain(),
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    },
    clipboard: { writeText: (text: string) => clipboard.push(text) },
    dialog: { showErrorBox: (_title: string, message: string) => errors.push(message) },
  };
  return { electron, app, protocolHandlers, privileged, clipboard, errors, appMenu: () => appMenu };
}
