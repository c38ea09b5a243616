import type { Diagnostics, IpcTopic, IpcTopicPayload } from '../../src-shared/ipc/contract';
import type { InvokeReply } from './ipc-channels';
import { shellDiagnostics, type ShellFacts } from './diagnostics';

export interface CoreLike {
  call(method: string, args: unknown): Promise<InvokeReply>;
  subscribe<T extends IpcTopic>(topic: T, listener: (payload: IpcTopicPayload<T>) => void): () => void;
}

/**
 * The core as the shell's IPC bridge exposes it: calls pass through, except that diagnostics gain
 * what only the shell knows (and are redacted), and a test notification reports when the OS is
 * hiding notifications — "shown" is then true but nobody would see it.
 */
export function withShellFacts(core: CoreLike, facts: () => Promise<ShellFacts>): CoreLike {
  return {
    subscribe: (topic, listener) => core.subscribe(topic, listener),
    async call(method, args) {
      const reply = await core.call(method, args);
      if (!reply.ok) return reply;
      if (method === 'diagnostics.get')
        return { ok: true, result: shellDiagnostics(reply.result as Diagnostics, await facts()) };
      if (method === 'notifications.test') {
        const result = reply.result as { shown: boolean; reason: string | null };
        const suppressed = (await facts()).suppression.suppressed;
        return { ok: true, result: result.shown && suppressed ? { shown: true, reason: suppressed } : result };
      }
      return reply;
    },
  };
}
