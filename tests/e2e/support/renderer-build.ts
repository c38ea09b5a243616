import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Build the renderer once per run into a temp folder (dist/ is left to the developer). */
export async function buildRendererOnce(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'im-renderer-'));
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}
