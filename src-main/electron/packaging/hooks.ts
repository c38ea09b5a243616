import { readFile, writeFile } from 'node:fs/promises';
import { addMsiPolicyProperties } from './msi-policy';

/**
 * electron-builder hooks, bundled to dist/build/hooks.cjs and named in electron-builder.yml.
 * `msiProjectCreated` receives the generated WiX project before it is compiled.
 */
export async function msiProjectCreated(projectFile: string): Promise<void> {
  await writeFile(projectFile, addMsiPolicyProperties(await readFile(projectFile, 'utf8')));
}
