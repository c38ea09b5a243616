import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What the renderer build is made of: when none of it changed, the last build is still right. */
const INPUTS = ['src-renderer', 'src-shared', 'vite.config.ts', 'package-lock.json'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

function inputHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => filesUnder(join(ROOT, p))).sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built renderer for browser tests and the UI benchmark, built at most once per content: test
 * files run in parallel workers, so the build lands in a folder named by the hash of its inputs,
 * moved into place atomically; whoever finds it there reuses it. dist/ is left to the developer.
 * Treat the folder as read-only.
 */
export async function buildRendererOnce(): Promise<string> {
  const target = join(tmpdir(), `merchant-im-renderer-${inputHash()}`);
  if (existsSync(join(target, 'index.html'))) return target;
  const outDir = mkdtempSync(join(tmpdir(), 'merchant-im-renderer-build-'));
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  try {
    renameSync(outDir, target);
  } catch {
    // Another worker got there first with the same inputs: use theirs.
    rmSync(outDir, { recursive: true, force: true });
  }
  return target;
}
