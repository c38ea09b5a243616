import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

/**
 * Bundles the Electron main process and the preload to CommonJS under dist/electron, plus the
 * electron-builder hooks under dist/build. Run by `npx tsx src-main/electron/packaging/bundle.ts`
 * before electron-builder (see docs/deployment.md). Native and Electron-provided modules stay
 * external: better-sqlite3 is rebuilt for Electron's ABI by electron-builder and unpacked from
 * the asar.
 */
const root = join(import.meta.dirname, '..', '..', '..');

/** `outDir` defaults to the repository's dist/ (electron-builder packs it from there). */
export async function bundle(options: { updateUrl?: string; minify?: boolean; outDir?: string } = {}): Promise<void> {
  const out = options.outDir ?? join(root, 'dist');
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'src-main/electron/main.ts')],
      outfile: join(out, 'electron/main.cjs'),
      external: ['electron', 'better-sqlite3'],
      define: { MERCHANT_IM_BUILT_IN_UPDATE_URL: JSON.stringify(options.updateUrl ?? '') },
    }),
    // Sandboxed preloads get only a tiny `require` (electron, events, timers, url): one self-contained file.
    build({
      ...common,
      platform: 'browser',
      target: 'chrome130',
      entryPoints: [join(root, 'src-main/electron/preload.ts')],
      outfile: join(out, 'electron/preload.cjs'),
      external: ['electron'],
    }),
    build({
      ...common,
      minify: false,
      entryPoints: [join(root, 'src-main/electron/packaging/hooks.ts')],
      outfile: join(out, 'build/hooks.cjs'),
    }),
  ]);
}

if (process.argv[1]?.endsWith('bundle.ts')) {
  await bundle({
    updateUrl: process.env.MERCHANT_IM_UPDATE_URL,
    minify: process.env.MERCHANT_IM_NO_MINIFY === undefined,
  });
  console.log('bundled dist/electron/main.cjs, dist/electron/preload.cjs, dist/build/hooks.cjs');
}
