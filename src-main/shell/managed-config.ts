/**
 * Managed configuration for IT (issue 5). One table of settings, read from four layers in
 * precedence order — command line > environment > machine-wide policy > user settings — and a
 * default. Values from the first three are enforced (the user cannot change them in the app);
 * `LockServerUrl` additionally stops the user signing in to any other server.
 * Every source is parsed leniently: a bad value is skipped with a warning, never a crash.
 */

export type ConfigSource = 'command-line' | 'environment' | 'policy' | 'user' | 'default';

export interface ManagedValues {
  server_url: string | null;
  server_url_locked: boolean;
  auto_update: boolean;
  update_url: string | null;
  update_channel: UpdateChannel;
  start_at_login: boolean;
  start_hidden: boolean;
  /** Budget of the on-disk image cache in MiB; null = the client core's default. */
  image_cache_mb: number | null;
}
export type ManagedLayer = Partial<ManagedValues>;

export const UPDATE_CHANNELS = ['latest', 'beta', 'alpha'] as const;
export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];

export const MANAGED_DEFAULTS: ManagedValues = {
  server_url: null,
  server_url_locked: false,
  auto_update: true,
  update_url: null,
  update_channel: 'latest',
  start_at_login: false,
  start_hidden: false,
  image_cache_mb: null,
};

/** Largest accepted image-cache budget (1 TiB): anything above is a typo, not a plan. */
const MAX_IMAGE_CACHE_MB = 1024 * 1024;

type Kind = 'url' | 'bool' | 'channel' | 'mebibytes';

/**
 * Each setting's names in each source. Policy names are the same in the Windows registry, the
 * macOS managed-preferences plist and the Linux JSON file. `invert` maps a "Disable…" policy onto a
 * positive setting.
 */
export const MANAGED_KEYS: readonly {
  key: keyof ManagedValues;
  kind: Kind;
  policy: string;
  flag: string;
  env: string;
  invert?: boolean;
}[] = [
  { key: 'server_url', kind: 'url', policy: 'ServerUrl', flag: 'server-url', env: 'MERCHANT_IM_SERVER_URL' },
  {
    key: 'server_url_locked',
    kind: 'bool',
    policy: 'LockServerUrl',
    flag: 'lock-server-url',
    env: 'MERCHANT_IM_LOCK_SERVER_URL',
  },
  {
    key: 'auto_update',
    kind: 'bool',
    policy: 'DisableAutoUpdate',
    flag: 'disable-auto-update',
    env: 'MERCHANT_IM_DISABLE_AUTO_UPDATE',
    invert: true,
  },
  { key: 'update_url', kind: 'url', policy: 'UpdateUrl', flag: 'update-url', env: 'MERCHANT_IM_UPDATE_URL' },
  {
    key: 'update_channel',
    kind: 'channel',
    policy: 'UpdateChannel',
    flag: 'update-channel',
    env: 'MERCHANT_IM_UPDATE_CHANNEL',
  },
  {
    key: 'start_at_login',
    kind: 'bool',
    policy: 'StartAtLogin',
    flag: 'start-at-login',
    env: 'MERCHANT_IM_START_AT_LOGIN',
  },
  { key: 'start_hidden', kind: 'bool', policy: 'StartHidden', flag: 'start-hidden', env: 'MERCHANT_IM_START_HIDDEN' },
  {
    key: 'image_cache_mb',
    kind: 'mebibytes',
    policy: 'ImageCacheMaxMB',
    flag: 'image-cache-max-mb',
    env: 'MERCHANT_IM_IMAGE_CACHE_MAX_MB',
  },
];

export interface ParsedLayer {
  layer: ManagedLayer;
  warnings: string[];
}

/** Raw policy entries as a reader found them (registry strings/DWORDs, plist or JSON values). */
export type RawPolicy = Record<string, unknown>;

export function policyLayer(raw: RawPolicy, origin: string): ParsedLayer {
  const warnings: string[] = [];
  const layer: ManagedLayer = {};
  const known = new Map(MANAGED_KEYS.map((k) => [k.policy.toLowerCase(), k]));
  for (const [name, value] of Object.entries(raw)) {
    const spec = known.get(name.toLowerCase());
    if (!spec) {
      warnings.push(`${origin}: unknown policy ${name} ignored`);
      continue;
    }
    assign(layer, spec, value, `${origin} ${spec.policy}`, warnings);
  }
  return { layer, warnings };
}

/**
 * Our switches in argv (`--server-url=https://…`, `--lock-server-url`, `--start-at-login=false`).
 * Chromium's own switches and anything unknown are left alone: argv also carries those.
 */
export function commandLineLayer(argv: readonly string[]): ParsedLayer {
  const warnings: string[] = [];
  const layer: ManagedLayer = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) continue;
    const spec = MANAGED_KEYS.find((k) => k.flag === m[1]);
    if (!spec) continue;
    const value = m[2] ?? (spec.kind === 'bool' ? true : undefined);
    if (value === undefined) {
      warnings.push(`command line --${spec.flag} needs a value`);
      continue;
    }
    assign(layer, spec, value, `command line --${spec.flag}`, warnings);
  }
  return { layer, warnings };
}

export function environmentLayer(env: Readonly<Record<string, string | undefined>>): ParsedLayer {
  const warnings: string[] = [];
  const layer: ManagedLayer = {};
  for (const spec of MANAGED_KEYS) {
    const value = env[spec.env];
    if (value === undefined || value === '') continue;
    assign(layer, spec, value, `environment ${spec.env}`, warnings);
  }
  return { layer, warnings };
}

export interface Effective<T> {
  value: T;
  source: ConfigSource;
}
export type ManagedConfig = { [K in keyof ManagedValues]: Effective<ManagedValues[K]> } & { warnings: string[] };

export interface ConfigLayers {
  commandLine: ParsedLayer;
  environment: ParsedLayer;
  policy: ParsedLayer;
  user: ManagedLayer;
}

const ORDER: readonly [Exclude<ConfigSource, 'default'>, (l: ConfigLayers) => ManagedLayer][] = [
  ['command-line', (l) => l.commandLine.layer],
  ['environment', (l) => l.environment.layer],
  ['policy', (l) => l.policy.layer],
  ['user', (l) => l.user],
];

export function resolveManagedConfig(layers: ConfigLayers): ManagedConfig {
  const pick = <K extends keyof ManagedValues>(key: K): Effective<ManagedValues[K]> => {
    for (const [source, get] of ORDER) {
      const value = get(layers)[key];
      if (value !== undefined) return { value, source };
    }
    return { value: MANAGED_DEFAULTS[key], source: 'default' };
  };
  const config = {
    server_url: pick('server_url'),
    server_url_locked: pick('server_url_locked'),
    auto_update: pick('auto_update'),
    update_url: pick('update_url'),
    update_channel: pick('update_channel'),
    start_at_login: pick('start_at_login'),
    start_hidden: pick('start_hidden'),
    image_cache_mb: pick('image_cache_mb'),
    warnings: [...layers.commandLine.warnings, ...layers.environment.warnings, ...layers.policy.warnings],
  };
  if (config.server_url_locked.value && config.server_url.value === null) {
    config.warnings.push('LockServerUrl is set but no ServerUrl is: the lock has no effect');
    config.server_url_locked = { value: false, source: config.server_url_locked.source };
  }
  return config;
}

/** Whether IT, not the user, decides this setting (the settings page shows it read-only). */
export function isEnforced(effective: Effective<unknown>): boolean {
  return effective.source === 'command-line' || effective.source === 'environment' || effective.source === 'policy';
}

function assign(
  layer: ManagedLayer,
  spec: (typeof MANAGED_KEYS)[number],
  raw: unknown,
  where: string,
  warnings: string[],
): void {
  if (spec.kind === 'url') {
    const url = parseUrl(raw);
    if (url === null) warnings.push(`${where}: not an http(s) URL, ignored`);
    else (layer as Record<string, unknown>)[spec.key] = url;
  } else if (spec.kind === 'channel') {
    const channel = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    if ((UPDATE_CHANNELS as readonly string[]).includes(channel)) layer.update_channel = channel as UpdateChannel;
    else warnings.push(`${where}: channel must be one of ${UPDATE_CHANNELS.join(', ')}, ignored`);
  } else if (spec.kind === 'mebibytes') {
    const mb = parseWholeNumber(raw);
    if (mb === null || mb > MAX_IMAGE_CACHE_MB)
      warnings.push(`${where}: not a whole number of MiB from 0 to ${MAX_IMAGE_CACHE_MB}, ignored`);
    else (layer as Record<string, unknown>)[spec.key] = mb;
  } else {
    const bool = parseBool(raw);
    if (bool === null) warnings.push(`${where}: not a boolean (1/0, true/false), ignored`);
    else (layer as Record<string, unknown>)[spec.key] = spec.invert ? !bool : bool;
  }
}

function parseUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.toString().replace(/\/$/, '');
  } catch {
    return null;
  }
}

/** Registry DWORDs arrive as numbers, everything else as text ("512", " 0x200 " is not accepted). */
function parseWholeNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw !== 'string' || !/^\s*\d{1,16}\s*$/.test(raw)) return null;
  return Number(raw.trim());
}

function parseBool(raw: unknown): boolean | null {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : null;
  if (typeof raw !== 'string') return null;
  const s = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on', '0x1', '0x00000001'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', '0x0', '0x00000000'].includes(s)) return false;
  return null;
}
