import type { BrowserWindow, PowerMonitor as ElectronPowerMonitor, SafeStorage, Shell } from 'electron';
import { ClientError } from '../core/errors';
import type { Clock, TimerHandle } from '../ports/clock';
import type { LinkOpener } from '../ports/links';
import { Listeners } from '../ports/listeners';
import type { NetworkMonitor } from '../ports/network';
import type { PowerEvent, PowerMonitor } from '../ports/power';
import type { SecretBox } from '../ports/secrets';
import type { WindowSnapshot, WindowState } from '../ports/window-state';
import { isAllowedExternalUrl } from '../shell/external-links';

/**
 * The client core's ports, implemented with Electron. Each takes only the part of Electron it
 * uses, so tests hand in doubles.
 */

/**
 * Chromium's own view of connectivity. The main process gets no online/offline events, so it is
 * sampled; a change is reported within one interval.
 */
export class ElectronNetworkMonitor implements NetworkMonitor {
  private readonly listeners = new Listeners<[boolean]>();
  private online: boolean;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly net: { isOnline(): boolean },
    private readonly clock: Clock,
    private readonly intervalMs = 2000,
  ) {
    this.online = net.isOnline();
    this.schedule();
  }

  isOnline(): boolean {
    return this.online;
  }

  onChange(listener: (online: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  dispose(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      const now = this.net.isOnline();
      if (now !== this.online) {
        this.online = now;
        this.listeners.emit(now);
      }
      this.schedule();
    }, this.intervalMs);
  }
}

const POWER_EVENTS: readonly PowerEvent[] = ['suspend', 'resume', 'lock-screen', 'unlock-screen'];

export class ElectronPowerEvents implements PowerMonitor {
  private readonly listeners = new Listeners<[PowerEvent]>();
  private readonly handlers = POWER_EVENTS.map((event) => [event, () => this.listeners.emit(event)] as const);

  constructor(private readonly powerMonitor: Pick<ElectronPowerMonitor, 'on' | 'removeListener'>) {
    for (const [event, handler] of this.handlers) powerMonitor.on(event as 'suspend', handler);
  }

  onEvent(listener: (event: PowerEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  dispose(): void {
    for (const [event, handler] of this.handlers) this.powerMonitor.removeListener(event as 'suspend', handler);
    this.listeners.clear();
  }
}

type ObservedWindow = Pick<
  BrowserWindow,
  'isFocused' | 'isMinimized' | 'isVisible' | 'isDestroyed' | 'on' | 'removeListener'
>;
const WINDOW_EVENTS = ['focus', 'blur', 'minimize', 'restore', 'show', 'hide'] as const;

/**
 * Focus and visibility read from the BrowserWindow itself, which is more exact than what the page
 * reports (a hidden-to-tray window may still think it is visible), so renderer reports are ignored.
 */
export class ElectronWindowState implements WindowState {
  private readonly listeners = new Listeners<[WindowSnapshot]>();
  private win: ObservedWindow | null = null;
  private last: WindowSnapshot = { focused: false, minimised: false, visible: false };
  private readonly onWindowEvent = (): void => this.refresh();

  attach(win: ObservedWindow): void {
    this.detach();
    this.win = win;
    for (const e of WINDOW_EVENTS) win.on(e as 'focus', this.onWindowEvent);
    win.on('closed', this.onClosed);
    this.refresh();
  }

  get(): WindowSnapshot {
    return { ...this.last };
  }

  onChange(listener: (state: WindowSnapshot) => void): () => void {
    return this.listeners.add(listener);
  }

  report(): void {
    // See the class comment: the window is observed directly.
  }

  dispose(): void {
    this.detach();
    this.listeners.clear();
  }

  private readonly onClosed = (): void => {
    this.win = null;
    this.set({ focused: false, minimised: false, visible: false });
  };

  private detach(): void {
    if (!this.win || this.win.isDestroyed()) return;
    for (const e of WINDOW_EVENTS) this.win.removeListener(e as 'focus', this.onWindowEvent);
    this.win.removeListener('closed', this.onClosed);
    this.win = null;
  }

  private refresh(): void {
    const win = this.win;
    if (!win || win.isDestroyed()) return;
    this.set({ focused: win.isFocused(), minimised: win.isMinimized(), visible: win.isVisible() });
  }

  private set(next: WindowSnapshot): void {
    const prev = this.last;
    this.last = next;
    if (prev.focused !== next.focused || prev.minimised !== next.minimised || prev.visible !== next.visible)
      this.listeners.emit(this.get());
  }
}

/** The session token at rest, encrypted with the OS keychain (DPAPI, Keychain, libsecret). */
export function safeStorageSecretBox(
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>,
  fallback: SecretBox,
): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) return fallback;
  return {
    kind: 'safeStorage',
    seal: (plain) => safeStorage.encryptString(plain),
    open: (sealed) => safeStorage.decryptString(sealed),
  };
}

/** Links leave the app only through the allow-list, into the OS browser. */
export class ElectronLinkOpener implements LinkOpener {
  constructor(private readonly shell: Pick<Shell, 'openExternal'>) {}

  async open(url: string): Promise<void> {
    if (!isAllowedExternalUrl(url))
      throw new ClientError('INVALID_ARGUMENT', 'only plain http and https links can be opened');
    await this.shell.openExternal(url, { activate: true });
  }
}
