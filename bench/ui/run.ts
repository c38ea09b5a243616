/**
 * `npm run bench:ui`: the conversation list in Chromium with 10,000 lines, against a reference in
 * the same run — the same 10,000 rows as a plain, non-virtualised DOM list with the same stylesheet.
 *   1. time to first render (navigation start → first frame with rows on screen)
 *   2. time from a new message on the bus to its row updated (and moved to the top) on screen
 *   3. JS heap and DOM size after scrolling the whole list, plus frame times while scrolling
 * The renderer runs over a fake client core (bench/ui/page-fake.ts), so only the UI is measured.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { startWebHost } from '../../src-main/web/host';
import { chromiumUnavailable, launchChromium } from '../../tests/e2e/support/chromium';
import { buildRendererOnce } from '../../tests/e2e/support/renderer-build';
import type {} from './page-probe'; // declares window.__probe

const HERE = fileURLToPath(new URL('.', import.meta.url));
const UPDATES = 40;

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [join(HERE, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: true,
    logLevel: 'error',
  });
  return out.outputFiles[0]!.text;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

interface Result {
  firstRenderMs: number;
  updateStoreMedianMs: number;
  updateDomMedianMs: number;
  updateMedianMs: number;
  updateP95Ms: number;
  scrollFrameP95Ms: number;
  scrollFrameMaxMs: number;
  heapMb: number;
  domNodes: number;
}

/** Deliver messages to lines far down the list; time until each row shows it at the top. */
async function measureUpdates(
  page: Page,
  kind: 'renderer' | 'reference',
): Promise<{ storeMs: number; domMs: number; paintedMs: number }[]> {
  const times: { storeMs: number; domMs: number; paintedMs: number }[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const args = { lineIndex: 9_999 - i * 97, text: `Update ${i}: can I bring a dog?`, kind };
    times.push(await page.evaluate((a) => window.__probe.update(a), args));
  }
  return times;
}

async function measure(page: Page, url: string, kind: 'renderer' | 'reference'): Promise<Result> {
  await page.goto(url);
  const firstRenderMs = await page.evaluate(() => window.__probe.firstRows);
  const updates = await measureUpdates(page, kind);
  const frames = await page.evaluate(() => window.__probe.scrollAll());
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  await cdp.detach();
  return {
    firstRenderMs,
    updateStoreMedianMs: median(updates.map((u) => u.storeMs)),
    updateDomMedianMs: median(updates.map((u) => u.domMs)),
    updateMedianMs: median(updates.map((u) => u.paintedMs)),
    updateP95Ms: p95(updates.map((u) => u.paintedMs)),
    scrollFrameP95Ms: p95(frames),
    scrollFrameMaxMs: Math.max(...frames),
    heapMb: metric('JSHeapUsedSize') / 1024 / 1024,
    domNodes: metric('Nodes'),
  };
}

async function main(): Promise<void> {
  const unavailable = chromiumUnavailable();
  if (unavailable) {
    process.exitCode = 1;
    return;
  }
  // A private copy of the shared build: the reference page is added next to the renderer.
  const rendererDir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
  cpSync(await buildRendererOnce(), rendererDir, { recursive: true });
  const css = readdirSync(join(rendererDir, 'assets')).find((f) => f.endsWith('.css'))!;
  writeFileSync(join(rendererDir, 'reference.js'), await bundle('reference.ts'));
  writeFileSync(
    join(rendererDir, 'reference.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="./assets/${css}"></head><body><script src="./reference.js"></script></body></html>`,
  );
  const fake = await bundle('page-fake.ts');
  const probe = await bundle('page-probe.ts');
  const host = await startWebHost({
    target: { call: () => Promise.resolve({ ok: true, result: {} }), subscribe: () => () => undefined },
    rendererDir,
  });
  const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    const results: Record<'renderer' | 'reference', Result> = {} as never;
    for (const kind of ['renderer', 'reference'] as const) {
      const page = await browser.context.newPage();
      if (kind === 'renderer') await page.addInitScript({ content: fake });
      await page.addInitScript({ content: probe });
      results[kind] = await measure(
        page,
        `${host.origin}/${kind === 'renderer' ? 'index.html' : 'reference.html'}`,
        kind,
      );
      await page.close();
    }
    const r = results.renderer;
    const ref = results.reference;
    const rows: [string, keyof Result, number][] = [
      ['first render of 10,000 lines (ms)', 'firstRenderMs', 1],
      ['bus message → store updated (synchronous), median (ms)', 'updateStoreMedianMs', 2],
      ['bus message → row updated in the DOM, median (ms)', 'updateDomMedianMs', 2],
      ['bus message → row painted, median (ms)', 'updateMedianMs', 2],
      ['bus message → row painted, p95 (ms)', 'updateP95Ms', 2],
      ['frame while scrolling the whole list, p95 (ms)', 'scrollFrameP95Ms', 1],
      ['frame while scrolling, worst (ms)', 'scrollFrameMaxMs', 1],
      ['JS heap after scrolling, after GC (MB)', 'heapMb', 1],
      ['DOM nodes after scrolling', 'domNodes', 0],
    ];
    console.log(
      `\nConversation list, 10,000 lines, Chromium ${browser.context.browser()?.version() ?? ''} (headless), ${UPDATES} updates`,
    );
    console.log(
      `${'metric'.padEnd(56)}${'virtualised app'.padStart(17)}${'plain DOM list'.padStart(16)}${'ratio'.padStart(9)}`,
    );
    for (const [label, key, digits] of rows) {
      console.log(
        `${label.padEnd(56)}${r[key].toFixed(digits).padStart(17)}${ref[key].toFixed(digits).padStart(16)}${(r[key] / ref[key]).toPrecision(2).padStart(9)}`,
      );
    }
    console.log('\nratio = virtualised app ÷ reference (below 1: the app is faster / smaller). "Painted" waits two');
    console.log('animation frames after the DOM change, so about 17–33 ms of it is the frame clock, not work.');
    console.log(
      'The app figures include React, Redux and i18n start-up and a fake core holding 10,000 lines in the page.',
    );
  } finally {
    await browser.close();
    await host.close();
    rmSync(rendererDir, { recursive: true, force: true });
  }
}

await main();
