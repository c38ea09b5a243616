import type { BrowserWindow, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import {
  trayModel,
  type AttentionFacts,
  type TrayIconKind,
  type TrayMenuId,
  type TrayModel,
} from '../shell/tray-model';

type TrayLike = Pick<Tray, 'setImage' | 'setToolTip' | 'setContextMenu' | 'on' | 'destroy'>;
type BadgeWindow = Pick<BrowserWindow, 'setOverlayIcon' | 'isDestroyed'>;

export interface TrayControllerOptions {
  platform: NodeJS.Platform;
  /** Null when the desktop shows no tray (see linuxTrayAvailable): badges still work. */
  createTray: ((image: NativeImage) => TrayLike) | null;
  buildMenu: (template: MenuItemConstructorOptions[]) => Parameters<Tray['setContextMenu']>[0];
  icons: { tray: Record<TrayIconKind, NativeImage>; overlay: NativeImage };
  setBadgeCount: (count: number) => void;
  window: () => BadgeWindow | null;
  onMenu: (id: TrayMenuId) => void;
  onActivate: () => void;
  initial: AttentionFacts;
}

/**
 * Applies the tray model (src-main/shell/tray-model) to Electron: tray icon, tooltip and menu,
 * the dock / Unity launcher badge, and the Windows taskbar overlay. Only what changed is touched,
 * since unread counts change often and menus are slow to rebuild on some desktops.
 */
export class TrayController {
  private facts: AttentionFacts;
  private shown: TrayModel | null = null;
  private readonly tray: TrayLike | null;

  constructor(private readonly options: TrayControllerOptions) {
    this.facts = options.initial;
    const model = trayModel(this.facts);
    this.tray = options.createTray?.(options.icons.tray[model.icon]) ?? null;
    // Windows and Linux open the app on a click; on macOS a click shows the menu.
    if (this.tray && options.platform !== 'darwin') this.tray.on('click', () => options.onActivate());
    this.apply(model);
  }

  get available(): boolean {
    return this.tray !== null;
  }

  update(change: Partial<AttentionFacts>): void {
    this.facts = { ...this.facts, ...change };
    this.apply(trayModel(this.facts));
  }

  /** The window was re-created: its overlay starts empty. */
  refreshWindow(): void {
    const model = this.shown;
    if (model) this.applyOverlay(model);
  }

  dispose(): void {
    this.tray?.destroy();
    this.options.setBadgeCount(0);
  }

  private apply(model: TrayModel): void {
    const prev = this.shown;
    this.shown = model;
    if (this.tray) {
      if (prev?.icon !== model.icon) this.tray.setImage(this.options.icons.tray[model.icon]);
      if (prev?.tooltip !== model.tooltip) this.tray.setToolTip(model.tooltip);
      if (JSON.stringify(prev?.menu) !== JSON.stringify(model.menu))
        this.tray.setContextMenu(this.options.buildMenu(this.menuTemplate(model)));
    }
    if (prev?.badgeCount !== model.badgeCount && this.options.platform !== 'win32')
      this.options.setBadgeCount(model.badgeCount);
    if (prev?.overlay?.description !== model.overlay?.description) this.applyOverlay(model);
  }

  private applyOverlay(model: TrayModel): void {
    if (this.options.platform !== 'win32') return;
    const win = this.options.window();
    if (!win || win.isDestroyed()) return;
    win.setOverlayIcon(model.overlay ? this.options.icons.overlay : null, model.overlay?.description ?? '');
  }

  private menuTemplate(model: TrayModel): MenuItemConstructorOptions[] {
    return model.menu.map((item) =>
      item.kind === 'separator'
        ? { type: 'separator' }
        : { id: item.id, label: item.label, click: () => this.options.onMenu(item.id) },
    );
  }
}
