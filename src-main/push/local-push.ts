import { contentText, type LineView, type LocalMessage, type Settings } from '../../src-shared/ipc';
import type { Content } from '../../src-shared/protocol';
import type { Notifier } from '../ports/notifier';
import type { WindowSnapshot } from '../ports/window-state';
import { decideNotify, type NotifyDecision } from './notify-policy';

export interface LocalPushOptions {
  me: string;
  notifier: Notifier;
  now(): number;
  window(): WindowSnapshot;
  openLineId(): string | null;
  settings(): Settings;
  line(lineId: string): LineView | null;
  muted(lineId: string): boolean;
  freshForMs: number;
  previewChars: number;
  /** The user clicked a notification: open that line. */
  onOpenLine(lineId: string, messageId: string | null): void;
}

/**
 * Raises OS notifications for incoming messages according to the pure policy, one per line,
 * updated with a count while it is on screen (a burst of ten is one notification saying 10),
 * and withdrawn when the user opens or reads the line.
 */
export class LocalPush {
  /** Lines with a live notification, and how many messages it stands for. */
  private readonly shown = new Map<string, number>();
  private lastDecision: NotifyDecision | null = null;

  constructor(private readonly o: LocalPushOptions) {}

  onMessage(message: LocalMessage): NotifyDecision {
    const settings = this.o.settings();
    const decision = decideNotify({
      message,
      me: this.o.me,
      window: this.o.window(),
      openLineId: this.o.openLineId(),
      muted: this.o.muted(message.line_id),
      notificationsEnabled: settings.notifications.enabled && this.o.notifier.supported,
      dndUntil: settings.notifications.dnd_until,
      now: this.o.now(),
      freshForMs: this.o.freshForMs,
      shownCount: this.shown.get(message.line_id) ?? 0,
    });
    this.lastDecision = decision;
    if (!decision.notify) return decision;
    this.shown.set(message.line_id, decision.count);
    const line = this.o.line(message.line_id);
    const who = message.sender === line?.uid ? line.customer_name : (line?.assignee_name ?? line?.customer_name ?? '');
    const title = line ? `${who} · ${line.object.title}` : who;
    const preview = previewOf(message.content, this.o.previewChars, settings.language);
    this.o.notifier.show(
      {
        tag: message.line_id,
        title,
        body: decision.count > 1 ? `(${decision.count}) ${preview}` : preview,
        count: decision.count,
        sound: settings.notifications.sound,
      },
      () => {
        this.shown.delete(message.line_id);
        this.o.onOpenLine(message.line_id, message.message_id);
      },
    );
    return decision;
  }

  /** The user opened or read the line: its notification goes away. */
  clear(lineId: string): void {
    if (!this.shown.delete(lineId)) return;
    this.o.notifier.close(lineId);
  }

  /** Why the last message raised no notification (diagnostics). */
  suppressedReason(): string | null {
    return this.lastDecision && !this.lastDecision.notify ? this.lastDecision.reason : null;
  }

  dispose(): void {
    for (const lineId of this.shown.keys()) this.o.notifier.close(lineId);
    this.shown.clear();
  }
}

/** The notification's body: the content as one line in the UI language, cut at `max` characters. */
export function previewOf(content: Content, max: number, language: Settings['language']): string {
  const text = contentText(content, language);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
