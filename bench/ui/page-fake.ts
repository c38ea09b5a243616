/**
 * Runs inside Chromium before the renderer (as an init script): puts a fake client core with
 * 10,000 lines on `window.merchantIm`, so the benchmark measures the renderer alone, and exposes
 * `window.__bench.deliver` to play a new message onto the bus.
 */
import type { LineView } from '../../src-shared/ipc';
import type {} from '../../src-renderer/api/resolveApi'; // declares window.merchantIm
import { FakeApi } from '../../tests/renderer/support/fakeApi';
import { makeLine, makeMessage, NOW } from '../../tests/renderer/support/fixtures';

declare global {
  interface Window {
    __bench: { deliver(lineIndex: number, text: string): void; lineCount: number };
  }
}

const LINE_COUNT = 10_000;
/** The server's ids are decimal strings; so are these (V8 stores such keys far more cheaply than names). */
export const lineIdOf = (index: number) => String(100_000 + index);
const lines: LineView[] = Array.from({ length: LINE_COUNT }, (_, i) =>
  makeLine(i, {
    line_id: lineIdOf(i),
    last_message: makeMessage(lineIdOf(i), {
      ts: NOW - i * 60_000,
      content: { type: 'text', text: `Do you have rooms free on the ${(i % 28) + 1}th? (line ${i})` },
    }),
    unread: i % 7 === 0 ? 3 : 0,
    waiting_since: i % 5 === 0 ? NOW - 15 * 60_000 : null,
  }),
);
const api = new FakeApi({ lines });
let seq = 0;

window.merchantIm = api;
window.__bench = {
  lineCount: LINE_COUNT,
  deliver(lineIndex, text) {
    const line = lines[lineIndex]!;
    const now = NOW + ++seq * 1000;
    const message = makeMessage(line.line_id, { message_id: `B${seq}`, ts: now, content: { type: 'text', text } });
    api.emit('message.new', message);
    api.emit('line.updated', {
      ...line,
      last_message: message,
      last_message_at: now,
      unread: line.unread + 1,
      waiting_since: line.waiting_since ?? now,
    });
  },
};
