import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Build the renderer with vite when no build exists yet (a fresh clone running `npm run web`).
 * Vite is a development dependency, loaded only here and only when needed.
 */
export async function ensureRendererBuilt(rendererDir: string, log: (line: string) => void): Promise<void> {
  if (existsSync(join(rendererDir, 'index.html'))) return;
  log(`No renderer build in ${rendererDir}; building it now (npm run build:renderer)…`);
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
