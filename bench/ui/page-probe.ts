/**
 * Measurement helpers that run inside the page (both the app and the reference), bundled into an
 * init script so the benchmark calls them by name.
 */
export type Kind = 'renderer' | 'reference';
type Deliver = { deliver(lineIndex: number, text: string): void };

declare global {
  interface Window {
    __probe: {
      firstRows: Promise<number>;
      update(args: {
        lineIndex: number;
        text: string;
        kind: Kind;
      }): Promise<{ storeMs: number; domMs: number; paintedMs: number }>;
      scrollAll(): Promise<number[]>;
    };
    __reference?: Deliver;
  }
}

const afterTwoFrames = (then: () => void) => requestAnimationFrame(() => requestAnimationFrame(then));

window.__probe = {
  /** Time of the second frame after the first list row exists: rows laid out and painted. */
  firstRows: new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[data-line-id]')) return;
      observer.disconnect();
      afterTwoFrames(() => resolve(performance.now()));
    });
    observer.observe(document, { childList: true, subtree: true });
  }),

  /**
   * Deliver one message; time the synchronous part (bus → store), until its row shows the text at
   * the top of the list (DOM), and until painted.
   */
  update({ lineIndex, text, kind }) {
    return new Promise((resolve) => {
      const onScreen = () => {
        const row = document.querySelector<HTMLElement>(`[data-line-id="${100_000 + lineIndex}"]`);
        if (!row?.textContent?.includes(text)) return false;
        return kind === 'renderer'
          ? row.style.transform === 'translateY(0px)'
          : row.parentElement?.firstElementChild === row;
      };
      const started = performance.now();
      let storeMs = 0;
      const finish = () => {
        const domMs = performance.now() - started;
        afterTwoFrames(() => resolve({ storeMs, domMs, paintedMs: performance.now() - started }));
      };
      const observer = new MutationObserver(() => {
        if (!onScreen()) return;
        observer.disconnect();
        finish();
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
      const target = kind === 'renderer' ? (window as unknown as { __bench: Deliver }).__bench : window.__reference!;
      target.deliver(lineIndex, text);
      storeMs = performance.now() - started;
      if (onScreen()) {
        observer.disconnect();
        finish();
      }
    });
  },

  /** Scroll the list top to bottom, one screen per frame; each frame's duration. */
  scrollAll() {
    return new Promise((resolve) => {
      const list = document.querySelector<HTMLElement>('.line-list')!;
      list.scrollTop = 0;
      const frames: number[] = [];
      let last = performance.now();
      const step = () => {
        const now = performance.now();
        frames.push(now - last);
        last = now;
        if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) {
          resolve(frames.slice(1));
          return;
        }
        list.scrollTop += list.clientHeight;
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
  },
};
