import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { MainWindow } from '../../src-main/electron/main-window';
import { JsonFile } from '../../src-main/shell/json-file';

class FakeWindow extends EventEmitter {
  bounds: { x: number; y: number; width: number; height: number };
  visible = false;
  minimized = false;
  maximized = false;
  focused = false;
  destroyed = false;
  loaded: string | null = null;
  readonly webContents = { id: 1 };
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.bounds = { x: options.x!, y: options.y!, width: options.width!, height: options.height! };
  }
  loadURL(url: string): Promise<void> {
    this.loaded = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
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
    return this.maximized;
  }
  isFullScreen(): boolean {
    return false;
  }
  maximize(): void {
    this.maximized = true;
  }
  setFullScreen(): void {}
  getNormalBounds() {
    return this.bounds;
  }
  flashFrame(): void {}
  setOverlayIcon(): void {}
  /** What the OS close button does: 'close' (cancelable), then 'closed' unless prevented. */
  userClose(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(over: { closeToTray?: boolean; trayAvailable?: boolean; platform?: NodeJS.Platform } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mim-win-'));
  dirs.push(dir);
  const file = new JsonFile(join(dir, 'window-state.json'));
  const windows: FakeWindow[] = [];
  const closed: string[] = [];
  const make = () =>
    new MainWindow({
      createWindow: (options) => {
        const w = new FakeWindow(options);
        windows.push(w);
        return w as never;
      },
      screen: {
        getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
        getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
      },
      stateFile: file,
      preload: '/app/dist/electron/preload.cjs',
      entryUrl: 'app://merchant-im/index.html',
      devTools: false,
      platform: over.platform ?? 'win32',
      closeFacts: () => ({ closeToTray: over.closeToTray ?? true, trayAvailable: over.trayAvailable ?? true }),
      onClosed: () => closed.push('closed'),
      onCreated: () => {},
    });
  return { make, windows, closed, file };
}

describe('main window', () => {
  it('is created with the secure preferences and loads the app:// entry', () => {
    const { make, windows } = setup();
    make().open(true);
    const prefs = windows[0]!.options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      preload: '/app/dist/electron/preload.cjs',
    });
    expect(windows[0]!.loaded).toBe('app://merchant-im/index.html');
    expect(windows[0]!.options.show).toBe(false);
    windows[0]!.emit('ready-to-show');
    expect(windows[0]!.visible).toBe(true);
  });

  it('remembers its bounds and maximised state across runs', () => {
    const first = setup({ closeToTray: false });
    const win = first.make();
    win.open(true);
    const w = first.windows[0]!;
    w.bounds = { x: 100, y: 120, width: 1000, height: 700 };
    w.maximized = true;
    w.userClose();
    expect(first.closed).toEqual(['closed']);

    // Next run, same state file.
    first.make().open(false);
    const reopened = first.windows[1]!;
    expect(reopened.options).toMatchObject({ x: 100, y: 120, width: 1000, height: 700 });
    expect(reopened.maximized).toBe(true);
    reopened.emit('ready-to-show');
    expect(reopened.visible).toBe(false);
  });

  it('hides to the tray on close, and really closes when quitting', () => {
    const { make, windows, closed } = setup();
    const win = make();
    win.open(true);
    const w = windows[0]!;
    w.visible = true;
    w.userClose();
    expect(w.visible).toBe(false);
    expect(closed).toEqual([]);
    win.showAndFocus();
    expect(w.visible && w.focused).toBe(true);
    win.prepareToQuit();
    w.userClose();
    expect(closed).toEqual(['closed']);
    expect(win.current).toBeNull();
  });

  it('closes normally where no tray exists, and re-creates on demand', () => {
    const { make, windows, closed } = setup({ platform: 'linux', trayAvailable: false });
    const win = make();
    win.open(true);
    windows[0]!.userClose();
    expect(closed).toEqual(['closed']);
    win.showAndFocus();
    expect(windows).toHaveLength(2);
  });
});
