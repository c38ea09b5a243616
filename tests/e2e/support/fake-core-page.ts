/**
 * Runs in the page before the renderer (an init script): a fake client core with a few lines,
 * one of which has a long history over several days, so the conversation view's virtualised,
 * upward-loading history can be driven in a real browser without a server.
 */
import type {} from '../../../src-renderer/api/resolveApi'; // declares window.merchantIm
import { IpcError, type IpcArgs, type IpcErrorShape, type IpcMethod, type IpcResult } from '../../../src-shared/ipc';
import { FakeApi } from '../../renderer/support/fakeApi';
import { makeLine, makeMessage, NOW } from '../../renderer/support/fixtures';

/**
 * History pages can be held back, so a test can look at the view just before a page lands; any
 * method can be made to fail, so a test can look at the error it leaves on screen.
 */
class GatedFakeApi extends FakeApi {
  holdHistory = false;
  readonly failures: Partial<Record<IpcMethod, IpcErrorShape>> = {};
  private readonly held: (() => void)[] = [];

  heldCount(): number {
    return this.held.length;
  }

  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  override async invoke<M extends IpcMethod>(method: M, args: IpcArgs<M>): Promise<IpcResult<M>> {
    if (method === 'history.load' && this.holdHistory) await new Promise<void>((go) => this.held.push(go));
    const failure = this.failures[method];
    if (failure) throw new IpcError(failure);
    return super.invoke(method, args);
  }
}

declare global {
  interface Window {
    __fake: GatedFakeApi;
  }
}

const HISTORY = 300;
const history = Array.from({ length: HISTORY }, (_, i) =>
  makeMessage('L1', {
    message_id: String(1000 + i),
    key: String(1000 + i),
    ts: NOW - (HISTORY - i) * 20 * 60_000,
    sender_role: i % 3 === 0 ? 'staff' : 'customer',
    content: { type: 'text', text: `History message #${i}${i % 10 === 0 ? '\nwith a second line' : ''}` },
  }),
);
const api = new GatedFakeApi({
  lines: [
    makeLine(1, { customer_name: 'Long History', last_message: history[HISTORY - 1]!, last_message_at: NOW }),
    makeLine(2),
    makeLine(3),
  ],
  history: { L1: history },
});
window.merchantIm = api;
window.__fake = api;
