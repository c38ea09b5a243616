import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * fake-core-page.ts bundled into one script for `page.addInitScript`: the renderer then runs on an
 * in-page fake of the client core (window.__fake) instead of the browser-mode bridge.
 */
export async function fakeCoreScript(): Promise<string> {
  const fake = await build({
    entryPoints: [fileURLToPath(new URL('./fake-core-page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  return fake.outputFiles[0]!.text;
}
