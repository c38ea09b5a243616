import type { RawPolicy } from './managed-config';

/** Machine-wide policy locations, one per OS (documented in docs/deployment.md). */
export const POLICY_LOCATIONS = {
  /** HKLM wins over HKCU, as with Group Policy. */
  win32: ['HKLM\\Software\\Policies\\MerchantIM', 'HKCU\\Software\\Policies\\MerchantIM'],
  /** Written by an MDM profile for the payload type below. */
  darwin: ['/Library/Managed Preferences/com.merchantim.desktop.plist'],
  linux: ['/etc/merchant-im/policy.json'],
} as const;
export const MACOS_PREFERENCE_DOMAIN = 'com.merchantim.desktop';

/** The OS tools a policy reader runs; injected so tests need no registry and no macOS. */
export interface PolicyIo {
  run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string }>;
  /** Text of a file, or null when it does not exist. */
  readText(path: string): Promise<string | null>;
}

export interface PolicyRead {
  values: RawPolicy;
  origin: string;
  warnings: string[];
}

export async function readMachinePolicy(platform: NodeJS.Platform, io: PolicyIo): Promise<PolicyRead> {
  if (platform === 'win32') return readWindowsPolicy(io);
  if (platform === 'darwin') return readMacPolicy(io, POLICY_LOCATIONS.darwin[0]);
  return readJsonPolicy(io, POLICY_LOCATIONS.linux[0]);
}

async function readWindowsPolicy(io: PolicyIo): Promise<PolicyRead> {
  const values: RawPolicy = {};
  const warnings: string[] = [];
  // Lowest precedence first, so HKLM overwrites HKCU.
  for (const key of [...POLICY_LOCATIONS.win32].reverse()) {
    let result: { code: number; stdout: string };
    try {
      result = await io.run('reg', ['query', key]);
    } catch (err) {
      warnings.push(`${key}: reg query failed (${(err as Error).message})`);
      continue;
    }
    // Exit code 1 means the key does not exist: no policy, the usual case.
    if (result.code !== 0) continue;
    Object.assign(values, parseRegQuery(result.stdout));
  }
  return { values, origin: 'registry policy', warnings };
}

/**
 * `reg query <key>` output: the key path, then one line per value, fields separated by four
 * spaces — `    Name    REG_SZ    data`. Value names may contain single spaces; subkeys are skipped.
 */
export function parseRegQuery(stdout: string): RawPolicy {
  const values: RawPolicy = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (!m) continue;
    const [, name, type, data = ''] = m;
    if (type === 'REG_DWORD' || type === 'REG_QWORD') {
      const n = Number.parseInt(data, 16);
      if (Number.isFinite(n)) values[name!] = n;
    } else if (type === 'REG_SZ' || type === 'REG_EXPAND_SZ') {
      values[name!] = data;
    }
  }
  return values;
}

/**
 * Managed preferences are often binary plists; `plutil` (on every Mac) converts them to JSON,
 * so no plist parser ships with the app.
 */
async function readMacPolicy(io: PolicyIo, path: string): Promise<PolicyRead> {
  const origin = `managed preferences ${path}`;
  if ((await io.readText(path)) === null) return { values: {}, origin, warnings: [] };
  const result = await io.run('plutil', ['-convert', 'json', '-o', '-', path]);
  if (result.code !== 0) return { values: {}, origin, warnings: [`${origin}: plutil could not read it`] };
  return parseJsonObject(result.stdout, origin);
}

async function readJsonPolicy(io: PolicyIo, path: string): Promise<PolicyRead> {
  const origin = `policy file ${path}`;
  const text = await io.readText(path);
  if (text === null) return { values: {}, origin, warnings: [] };
  return parseJsonObject(text, origin);
}

function parseJsonObject(text: string, origin: string): PolicyRead {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { values: parsed as RawPolicy, origin, warnings: [] };
    }
    return { values: {}, origin, warnings: [`${origin}: expected a JSON object`] };
  } catch (err) {
    return { values: {}, origin, warnings: [`${origin}: not valid JSON (${(err as Error).message})`] };
  }
}
