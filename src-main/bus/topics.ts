import type { IpcTopic, IpcTopicPayload } from '../../src-shared/ipc';
import type { Need, PushBody } from '../../src-shared/protocol';
import type { WindowSnapshot } from '../ports/window-state';

/** Topics the renderer may see: exactly the IPC contract's. */
export type RendererTopics = { [T in IpcTopic]: IpcTopicPayload<T> };

/** Everything on the core's bus: the renderer's topics plus internal ones between core parts. */
export type ClientTopics = RendererTopics & {
  /** The window's focus/visibility changed (from the WindowState port). */
  'window.changed': WindowSnapshot;
  /** The request stack's top changed (seed 2.1.2). */
  'need.changed': Need | null;
  /** Someone's presence as pushed by the server. */
  'presence.changed': PushBody<'presence'>;
  /** Outbox size changed. */
  'outbox.changed': { pending: number };
};
