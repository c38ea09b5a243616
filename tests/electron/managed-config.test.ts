import { describe, expect, it } from 'vitest';
import {
  commandLineLayer,
  environmentLayer,
  isEnforced,
  policyLayer,
  resolveManagedConfig,
  type ConfigLayers,
  type ManagedLayer,
} from '../../src-main/shell/managed-config';
import { parseRegQuery, readMachinePolicy, type PolicyIo } from '../../src-main/shell/policy-sources';

const empty = { layer: {}, warnings: [] };
const layers = (over: Partial<ConfigLayers>): ConfigLayers => ({
  commandLine: empty,
  environment: empty,
  policy: empty,
  user: {},
  ...over,
});

describe('managed configuration precedence', () => {
  const user: ManagedLayer = { server_url: 'https://user.example', start_at_login: true };

  it('falls back from command line to environment to policy to user settings to defaults', () => {
    const policy = policyLayer({ ServerUrl: 'https://policy.example', StartAtLogin: 0 }, 'registry');
    const env = environmentLayer({ MERCHANT_IM_SERVER_URL: 'https://env.example' });
    const cli = commandLineLayer(['electron', '.', '--server-url=https://cli.example/']);

    const all = resolveManagedConfig(layers({ commandLine: cli, environment: env, policy, user }));
    expect(all.server_url).toEqual({ value: 'https://cli.example', source: 'command-line' });
    expect(all.start_at_login).toEqual({ value: false, source: 'policy' });
    expect(all.auto_update).toEqual({ value: true, source: 'default' });

    expect(resolveManagedConfig(layers({ environment: env, policy, user })).server_url).toEqual({
      value: 'https://env.example',
      source: 'environment',
    });
    expect(resolveManagedConfig(layers({ policy, user })).server_url).toEqual({
      value: 'https://policy.example',
      source: 'policy',
    });
    const userOnly = resolveManagedConfig(layers({ user }));
    expect(userOnly.server_url).toEqual({ value: 'https://user.example', source: 'user' });
    expect(userOnly.start_at_login).toEqual({ value: true, source: 'user' });
    expect(isEnforced(userOnly.start_at_login)).toBe(false);
    expect(isEnforced(all.start_at_login)).toBe(true);
  });

  it('lets IT lock the server URL and turn updates off, per key and per source', () => {
    const policy = policyLayer(
      { ServerUrl: 'https://im.corp', LockServerUrl: 1, DisableAutoUpdate: 1, UpdateChannel: 'Beta' },
      'registry',
    );
    const c = resolveManagedConfig(layers({ policy, user }));
    expect(c.server_url.value).toBe('https://im.corp');
    expect(c.server_url_locked).toEqual({ value: true, source: 'policy' });
    expect(c.auto_update).toEqual({ value: false, source: 'policy' });
    expect(c.update_channel).toEqual({ value: 'beta', source: 'policy' });

    // A higher layer can re-enable what policy turned off.
    const cli = commandLineLayer(['--disable-auto-update=false']);
    expect(resolveManagedConfig(layers({ commandLine: cli, policy })).auto_update).toEqual({
      value: true,
      source: 'command-line',
    });
  });

  it('drops a lock that has no server URL to lock to, with a warning', () => {
    const c = resolveManagedConfig(layers({ environment: environmentLayer({ MERCHANT_IM_LOCK_SERVER_URL: 'true' }) }));
    expect(c.server_url_locked.value).toBe(false);
    expect(c.warnings).toContain('LockServerUrl is set but no ServerUrl is: the lock has no effect');
  });

  it('skips bad values with a warning instead of failing', () => {
    const policy = policyLayer(
      { ServerUrl: 'ftp://x', LockServerUrl: 'maybe', UpdateChannel: 'nightly', Colour: 'red' },
      'policy file',
    );
    expect(policy.layer).toEqual({});
    expect(policy.warnings).toEqual([
      'policy file ServerUrl: not an http(s) URL, ignored',
      'policy file LockServerUrl: not a boolean (1/0, true/false), ignored',
      'policy file UpdateChannel: channel must be one of latest, beta, alpha, ignored',
      'policy file: unknown policy Colour ignored',
    ]);
    const cli = commandLineLayer([
      '--server-url',
      '--update-url=https://u.example/feed',
      '--inspect=9229',
      '--start-hidden',
    ]);
    expect(cli.layer).toEqual({ update_url: 'https://u.example/feed', start_hidden: true });
    expect(cli.warnings).toEqual(['command line --server-url needs a value']);
  });

  it('takes the image-cache budget as whole MiB from a DWORD, text or a switch, and refuses anything else', () => {
    expect(policyLayer({ ImageCacheMaxMB: 0x200 }, 'reg').layer).toEqual({ image_cache_mb: 512 });
    expect(environmentLayer({ MERCHANT_IM_IMAGE_CACHE_MAX_MB: ' 0 ' }).layer).toEqual({ image_cache_mb: 0 });
    expect(commandLineLayer(['--image-cache-max-mb=2048']).layer).toEqual({ image_cache_mb: 2048 });
    for (const bad of [-1, 1.5, '12MB', '', '1e3', 2 ** 20 + 1, true]) {
      const parsed = policyLayer({ ImageCacheMaxMB: bad }, 'policy');
      expect(parsed.layer, String(bad)).toEqual({});
      expect(parsed.warnings).toEqual(['policy ImageCacheMaxMB: not a whole number of MiB from 0 to 1048576, ignored']);
    }
    const config = resolveManagedConfig(layers({ policy: policyLayer({ ImageCacheMaxMB: 64 }, 'policy') }));
    expect(config.image_cache_mb).toEqual({ value: 64, source: 'policy' });
    expect(resolveManagedConfig(layers({})).image_cache_mb).toEqual({ value: null, source: 'default' });
  });

  it('reads policy names case-insensitively, as the registry does', () => {
    expect(policyLayer({ serverurl: 'https://a.example', STARTATLOGIN: true }, 'x').layer).toEqual({
      server_url: 'https://a.example',
      start_at_login: true,
    });
  });
});

describe('machine-wide policy readers', () => {
  const regOutput = [
    '',
    'HKEY_LOCAL_MACHINE\\Software\\Policies\\MerchantIM',
    '    ServerUrl    REG_SZ    https://im.corp.example',
    '    LockServerUrl    REG_DWORD    0x1',
    '    DisableAutoUpdate    REG_DWORD    0x0',
    '    Update Channel Note    REG_SZ    ',
    '',
    'HKEY_LOCAL_MACHINE\\Software\\Policies\\MerchantIM\\Sub',
    '',
  ].join('\r\n');

  it('parses reg query output', () => {
    expect(parseRegQuery(regOutput)).toEqual({
      ServerUrl: 'https://im.corp.example',
      LockServerUrl: 1,
      DisableAutoUpdate: 0,
      'Update Channel Note': '',
    });
  });

  function io(over: Partial<PolicyIo> & { runs?: string[][] }): PolicyIo {
    return {
      run: over.run ?? (() => Promise.resolve({ code: 1, stdout: '' })),
      readText: over.readText ?? (() => Promise.resolve(null)),
    };
  }

  it('on Windows, lets HKLM win over HKCU and treats a missing key as no policy', async () => {
    const calls: string[][] = [];
    const read = await readMachinePolicy(
      'win32',
      io({
        run: (file, args) => {
          calls.push([file, ...args]);
          if (args[1]!.startsWith('HKCU'))
            return Promise.resolve({
              code: 0,
              stdout: '    ServerUrl    REG_SZ    https://user-policy\r\n    StartAtLogin    REG_DWORD    0x1',
            });
          return Promise.resolve({ code: 0, stdout: regOutput });
        },
      }),
    );
    expect(calls).toEqual([
      ['reg', 'query', 'HKCU\\Software\\Policies\\MerchantIM'],
      ['reg', 'query', 'HKLM\\Software\\Policies\\MerchantIM'],
    ]);
    expect(read.values).toMatchObject({ ServerUrl: 'https://im.corp.example', StartAtLogin: 1 });
    expect((await readMachinePolicy('win32', io({}))).values).toEqual({});
  });

  it('on macOS, converts the managed plist with plutil only when it exists', async () => {
    const path = '/Library/Managed Preferences/com.merchantim.desktop.plist';
    const runs: string[][] = [];
    const read = await readMachinePolicy(
      'darwin',
      io({
        readText: (p) => Promise.resolve(p === path ? 'bplist00…' : null),
        run: (file, args) => {
          runs.push([file, ...args]);
          return Promise.resolve({ code: 0, stdout: '{"ServerUrl":"https://mac.example","StartAtLogin":true}' });
        },
      }),
    );
    expect(runs).toEqual([['plutil', '-convert', 'json', '-o', '-', path]]);
    expect(policyLayer(read.values, read.origin).layer).toEqual({
      server_url: 'https://mac.example',
      start_at_login: true,
    });
    expect((await readMachinePolicy('darwin', io({}))).values).toEqual({});
  });

  it('on Linux, reads /etc/merchant-im/policy.json and reports bad JSON', async () => {
    const good = await readMachinePolicy(
      'linux',
      io({
        readText: (p) => Promise.resolve(p === '/etc/merchant-im/policy.json' ? '{"DisableAutoUpdate": true}' : null),
      }),
    );
    expect(policyLayer(good.values, good.origin).layer).toEqual({ auto_update: false });
    const bad = await readMachinePolicy('linux', io({ readText: () => Promise.resolve('{nope') }));
    expect(bad.values).toEqual({});
    expect(bad.warnings[0]).toMatch(/^policy file \/etc\/merchant-im\/policy.json: not valid JSON/);
    const notObject = await readMachinePolicy('linux', io({ readText: () => Promise.resolve('[1]') }));
    expect(notObject.warnings).toEqual(['policy file /etc/merchant-im/policy.json: expected a JSON object']);
  });
});
