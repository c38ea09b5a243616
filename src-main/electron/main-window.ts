import type { BrowserWindow, BrowserWindowConstructorOptions, Display, Rectangle } from 'electron';
import { closeAction } from '../shell/desktop';
import type { JsonFile } from '../shell/json-file';
import { MIN_WINDOW_SIZE, parseSavedWindow, restoreWindow, windowToSave } from '../shell/window-bounds';
import { secureWebPreferences } from './security';

type WindowLike = Pick<
  BrowserWindow,
  | 'loadURL'
  | 'show'
  | 'hide'
  | 'focus'
  | 'restore'
  | 'isMinimized'
  | 'isVisible'
  | 'isDestroyed'
  | 'isMaximized'
  | 'isFullScreen'
  | 'maximize'
  | 'setFullScreen'
  | 'getNormalBounds'
  | 'on'
  | 'once'
  | 'webContents'
  | 'flashFrame'
  | 'setOverlayIcon'
>;

export interface MainWindowOptions {
  createWindow: (options: BrowserWindowConstructorOptions) => WindowLike;
  screen: { getAllDisplays(): Pick<Display, 'workArea'>[]; getPrimaryDisplay(): Pick<Display, 'workArea'> };
  stateFile: Pick<JsonFile, 'read' | 'write'>;
  preload: string;
  entryUrl: string;
  icon?: string;
  devTools: boolean;
  platform: NodeJS.Platform;
  /** Read at each close: the user may change the setting, the tray may come and go. */
  closeFacts: () => { closeToTray: boolean; trayAvailable: boolean };
  /** The window is gone for good (closed, not hidden): the app decides whether to quit. */
  onClosed: () => void;
  /** A new window exists (first one, or re-created on macOS dock click). */
  onCreated: (win: WindowLike) => void;
}

/**
 * The one app window: created with the secure preferences at its remembered place, hidden to the
 * tray or closed per the close policy, bounds saved whenever it is closed or hidden.
 */
export class MainWindow {
  private win: WindowLike | null = null;
  private quitting = false;

  constructor(private readonly options: MainWindowOptions) {}

  get current(): WindowLike | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  /** Creates the window if needed; `visible: false` keeps it hidden (started at login). */
  open(visible: boolean): WindowLike {
    const existing = this.current;
    if (existing) {
      if (visible) this.reveal(existing);
      return existing;
    }
    const o = this.options;
    const displays = o.screen.getAllDisplays().map((d) => d.workArea);
    const bounds = restoreWindow(parseSavedWindow(o.stateFile.read()), displays, o.screen.getPrimaryDisplay().workArea);
    const win = o.createWindow({
      x: bounds.x,
      y: bounds.y,
      width: bounds.width,
      height: bounds.height,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: 'Merchant IM',
      backgroundColor: '#ffffff',
      ...(o.icon ? { icon: o.icon } : {}),
      webPreferences: secureWebPreferences(o.preload, o.devTools),
    });
    this.win = win;
    if (bounds.maximized) win.maximize();
    if (bounds.fullscreen) win.setFullScreen(true);
    win.once('ready-to-show', () => {
      if (visible) this.reveal(win);
    });
    win.on('close', (event) => {
      this.save(win);
      const facts = o.closeFacts();
      if (closeAction({ quitting: this.quitting, ...facts, platform: o.platform }) === 'hide') {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('focus', () => win.flashFrame(false));
    win.on('closed', () => {
      if (this.win === win) this.win = null;
      o.onClosed();
    });
    o.onCreated(win);
    void win.loadURL(o.entryUrl).catch(() => {
      // A failed load leaves a blank window; the renderer protocol already logged why.
    });
    return win;
  }

  /** Brings the window to the front (tray click, second launch, notification click). */
  showAndFocus(): void {
    const win = this.current;
    if (win) this.reveal(win);
    else this.open(true);
  }

  /** From app 'before-quit': closing now really closes. */
  prepareToQuit(): void {
    this.quitting = true;
    const win = this.current;
    if (win) this.save(win);
  }

  private reveal(win: WindowLike): void {
    if (win.isMinimized()) win.restore();
    if (!win.isVisible()) win.show();
    win.focus();
  }

  private save(win: WindowLike): void {
    const bounds: Rectangle = win.getNormalBounds();
    try {
      this.options.stateFile.write(windowToSave(bounds, win.isMaximized(), win.isFullScreen()));
    } catch {
      // Remembering the window is a convenience; a read-only profile must not block closing.
    }
  }
}
