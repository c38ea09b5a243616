import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder cannot fetch Electron here, so the installers are not built; the configuration
 * is loaded with electron-builder's own loader and checked against its own JSON schema.
 */
const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(
    projectDir: string,
    configPath: string | null,
    configFromOptions: object | null,
  ): Promise<Record<string, unknown>>;
  validateConfiguration(config: object, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;

/** The parts of the configuration the assertions below read. */
type Target = string | { target: string };
interface Config {
  [key: string]: unknown;
  win: { target: Target[]; icon: string };
  nsis: { include: string; [key: string]: unknown };
  msi: Record<string, unknown>;
  mac: { target: Target[]; entitlements: string; entitlementsInherit: string; [key: string]: unknown };
  linux: { target: Target[]; desktop: { entry: Record<string, string> } };
  protocols: { schemes: string[] }[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  publish: Record<string, string>[];
  extraMetadata: { main: string; desktopName: string };
}
async function loadConfig(): Promise<Config> {
  return (await getConfig(root, join(root, 'electron-builder.yml'), null)) as unknown as Config;
}

describe('electron-builder.yml', () => {
  it('matches electron-builder’s JSON schema (ajv, same options as electron-builder)', async () => {
    const config = await loadConfig();
    const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
    const validate = ajv.compile(schema);
    const ok = validate(structuredClone(config));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
  });

  it('would catch a mistake (the check can fail)', async () => {
    const config = await loadConfig();
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, nsis: { ...config.nsis, perMachne: true } })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNode: 'no' } })).toBe(false);
  });

  it('ships the installers and settings the issue asks for', async () => {
    const c = await loadConfig();
    const targets = (list: Target[]) => list.map((t) => (typeof t === 'string' ? t : t.target));
    expect(targets(c.win.target)).toEqual(['nsis', 'msi']);
    expect(c.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(c.msi).toMatchObject({ perMachine: true });
    expect(c.msiProjectCreated).toBe('./dist/build/hooks.cjs');
    expect(targets(c.mac.target)).toEqual(['dmg', 'zip']);
    expect(c.mac).toMatchObject({
      hardenedRuntime: true,
      notarize: true,
      entitlements: 'resources/entitlements.mac.plist',
    });
    expect(c.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(c.linux.desktop.entry.MimeType).toBe('x-scheme-handler/merchant-im;');
    expect(c.protocols[0]!.schemes).toEqual(['merchant-im']);
    expect(c.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(c.npmRebuild).toBe(true);
    expect(c.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableNodeCliInspectArguments: false,
    });
    expect(c.publish[0]!).toMatchObject({ provider: 'generic', url: '${env.MERCHANT_IM_UPDATE_URL}' });
    expect(c.extraMetadata).toEqual({ main: 'dist/electron/main.cjs', desktopName: 'merchant-im.desktop' });
  });

  it('commits no signing secret and references only files that exist', async () => {
    const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(
      /cscKeyPassword|cscLink|certificatePassword|APPLE_APP_SPECIFIC_PASSWORD:|BEGIN (RSA |)PRIVATE KEY/,
    );
    const c = await loadConfig();
    for (const file of [
      c.mac.entitlements,
      c.mac.entitlementsInherit,
      c.nsis.include,
      c.win.icon,
      'resources/icons/512x512.png',
      'resources/tray/unread.png',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
  });
});
