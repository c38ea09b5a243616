import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronProbe = { usable: true; binary: string } | { usable: false; reason: string };

/**
 * Whether a working Electron binary is installed, found without loading the `electron` package
 * (whose entry throws when the binary was never downloaded) and without opening a window: the
 * binary is run once as plain Node (`ELECTRON_RUN_AS_NODE`) and must answer `--version`.
 */
export function probeElectron(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ElectronProbe {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile))
    return {
      usable: false,
      reason: 'the Electron binary was never downloaded (npm installs the electron package without it here)',
    };
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { usable: false, reason: `the Electron binary is missing at ${binary}` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { usable: false, reason: 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)' };
  const run = spawnSync(binary, ['--version'], {
    env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 15_000,
    encoding: 'utf8',
  });
  if (run.error) return { usable: false, reason: `the Electron binary does not start (${run.error.message})` };
  if (run.status !== 0)
    return { usable: false, reason: `the Electron binary exited with ${run.status ?? run.signal ?? 'an error'}` };
  return { usable: true, binary };
}
