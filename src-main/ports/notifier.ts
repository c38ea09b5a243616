import nodeNotifier from 'node-notifier';

/** One OS notification per conversation line; showing the same tag again updates it (coalescing). */
export interface NotificationSpec {
  /** The line id: one live notification per line. */
  tag: string;
  title: string;
  body: string;
  /** How many messages this notification stands for (1 for the first, then updated). */
  count: number;
  sound: boolean;
}

/**
 * OS notification centre (seed 3.2). Electron's shell implements it with `Notification`;
 * plain Node uses node-notifier; tests use RecordingNotifier.
 */
export interface Notifier {
  readonly supported: boolean;
  /** Show, or replace the live notification with the same tag. `onClick` fires at most once. */
  show(spec: NotificationSpec, onClick: () => void): void;
  close(tag: string): void;
  dispose(): void;
}

/**
 * node-notifier (notify-send, Notification Center, Windows toasts). It cannot replace a shown
 * notification, so an update is a fresh notification carrying the count; clicks are reported
 * where the platform backend supports them.
 */
export class NodeNotifier implements Notifier {
  readonly supported = true;
  private disposed = false;

  constructor(private readonly onError: (err: Error) => void = () => {}) {}

  show(spec: NotificationSpec, onClick: () => void): void {
    if (this.disposed) return;
    nodeNotifier.notify(
      { title: spec.title, message: spec.body, sound: spec.sound, wait: true } as Parameters<
        typeof nodeNotifier.notify
      >[0],
      (err, response) => {
        if (err) this.onError(err);
        else if (!this.disposed && /activate|click/i.test(response ?? '')) onClick();
      },
    );
  }

  close(): void {
    // node-notifier has no handle to withdraw a notification; the OS expires it.
  }

  dispose(): void {
    this.disposed = true;
  }
}

export type NotifierRecord = { kind: 'show'; spec: NotificationSpec } | { kind: 'close'; tag: string };

/** Test double and headless host: records what would have been shown and lets tests click. */
export class RecordingNotifier implements Notifier {
  readonly records: NotifierRecord[] = [];
  private readonly live = new Map<string, { spec: NotificationSpec; onClick: () => void }>();

  constructor(readonly supported = true) {}

  show(spec: NotificationSpec, onClick: () => void): void {
    this.records.push({ kind: 'show', spec: { ...spec } });
    this.live.set(spec.tag, { spec: { ...spec }, onClick });
  }

  close(tag: string): void {
    this.records.push({ kind: 'close', tag });
    this.live.delete(tag);
  }

  /** Notifications currently on screen, by tag. */
  visible(): NotificationSpec[] {
    return [...this.live.values()].map((n) => n.spec);
  }

  click(tag: string): void {
    const n = this.live.get(tag);
    if (!n) throw new Error(`no notification ${tag}`);
    this.live.delete(tag);
    n.onClick();
  }

  dispose(): void {
    this.live.clear();
  }
}
