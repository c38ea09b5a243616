import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { NotificationSpec, Notifier } from '../ports/notifier';
import { lineLinkUrl } from '../shell/deep-link';
import { windowsToastXml } from '../shell/windows-toast';

type NotificationHandle = Pick<ElectronNotification, 'show' | 'close' | 'on'>;
export interface NotificationFactory {
  isSupported(): boolean;
  create(options: NotificationConstructorOptions): NotificationHandle;
}

export interface ElectronNotifierOptions {
  factory: NotificationFactory;
  platform: NodeJS.Platform;
  /** Brings the window forward; runs before the core's click handler opens the line. */
  focusApp: () => void;
  icon?: string;
  onError?: (err: Error) => void;
}

/**
 * OS notifications through Electron (seed 3.2): one live notification per conversation line. A
 * new message on a line closes that line's notification and shows the updated one, so the
 * notification centre holds one entry per customer, not one per message. The handles are kept
 * here because a garbage-collected Notification loses its click handler.
 *
 * On Windows the toast is protocol-activated (`merchant-im://line/<id>`): a click reaches the app
 * through the single-instance lock even after it was restarted, so `onClick` is not needed there.
 */
export class ElectronNotifier implements Notifier {
  readonly supported: boolean;
  private readonly live = new Map<string, NotificationHandle>();
  private disposed = false;

  constructor(private readonly options: ElectronNotifierOptions) {
    this.supported = options.factory.isSupported();
  }

  show(spec: NotificationSpec, onClick: () => void): void {
    if (this.disposed || !this.supported) return;
    this.close(spec.tag);
    const windows = this.options.platform === 'win32';
    const options: NotificationConstructorOptions = {
      title: spec.title,
      body: spec.body,
      silent: !spec.sound,
      ...(this.options.icon ? { icon: this.options.icon } : {}),
      ...(windows
        ? {
            toastXml: windowsToastXml({
              title: spec.title,
              body: spec.body,
              launchUrl: lineLinkUrl({ line_id: spec.tag, message_id: null }),
              silent: !spec.sound,
            }),
          }
        : {}),
    };
    let handle: NotificationHandle;
    try {
      handle = this.options.factory.create(options);
    } catch (err) {
      this.options.onError?.(err as Error);
      return;
    }
    let clicked = false;
    handle.on('click', () => {
      if (clicked || this.disposed) return;
      clicked = true;
      if (this.live.get(spec.tag) === handle) this.live.delete(spec.tag);
      this.options.focusApp();
      onClick();
    });
    handle.on('close', () => {
      if (this.live.get(spec.tag) === handle) this.live.delete(spec.tag);
    });
    handle.on('failed', (_event, error) => this.options.onError?.(new Error(error)));
    this.live.set(spec.tag, handle);
    handle.show();
  }

  close(tag: string): void {
    const handle = this.live.get(tag);
    if (!handle) return;
    this.live.delete(tag);
    handle.close();
  }

  /** Tags with a notification on screen (diagnostics, tests). */
  liveTags(): string[] {
    return [...this.live.keys()];
  }

  /** Leaves shown notifications in place: on Windows they still open their line after a restart. */
  dispose(): void {
    this.disposed = true;
    this.live.clear();
  }
}
