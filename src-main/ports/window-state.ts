import { Listeners } from './listeners';

export interface WindowSnapshot {
  focused: boolean;
  minimised: boolean;
  /** False when hidden (closed to tray) or the page is not visible. */
  visible: boolean;
}

/**
 * The main window's state, which drives local push (seed 3.2) and the presence the client
 * reports to the server. Electron reads it from BrowserWindow; in browser mode the renderer
 * reports it through the `window.focus` IPC call, which lands in `report`.
 */
export interface WindowState {
  get(): WindowSnapshot;
  onChange(listener: (state: WindowSnapshot) => void): () => void;
  /** State as reported by the renderer. Hosts that observe the window themselves may ignore it. */
  report(state: WindowSnapshot): void;
  dispose(): void;
}

/** Holds whatever was last reported; the browser-mode host's window and the test double. */
export class ReportedWindowState implements WindowState {
  private readonly listeners = new Listeners<[WindowSnapshot]>();
  private state: WindowSnapshot;

  constructor(initial: WindowSnapshot = { focused: true, minimised: false, visible: true }) {
    this.state = { ...initial };
  }

  get(): WindowSnapshot {
    return { ...this.state };
  }

  onChange(listener: (state: WindowSnapshot) => void): () => void {
    return this.listeners.add(listener);
  }

  report(state: WindowSnapshot): void {
    const changed =
      state.focused !== this.state.focused ||
      state.minimised !== this.state.minimised ||
      state.visible !== this.state.visible;
    this.state = { ...state };
    if (changed) this.listeners.emit(this.get());
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** "In the foreground" for presence and local push: focused, visible and not minimised. */
export function isForeground(state: WindowSnapshot): boolean {
  return state.focused && state.visible && !state.minimised;
}
