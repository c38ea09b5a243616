// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGED_KEYS, policyLayer, type RawPolicy } from '../../src-main/shell/managed-config';
import { MSI_PROPERTIES } from '../../src-main/electron/packaging/msi-policy';

/** The policy examples IT copies (resources/policy) must stay in step with what the app reads. */
const dir = join(import.meta.dirname, '..', '..', 'resources', 'policy');
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const xml = (file: string) => new DOMParser().parseFromString(read(file), 'application/xml');
const ALL = MANAGED_KEYS.map((k) => k.policy).sort();
const expectedLayer = {
  server_url: 'https://im.example.com',
  server_url_locked: true,
  auto_update: true,
  update_url: 'https://updates.example.com/merchant-im',
  update_channel: 'latest',
  start_at_login: true,
  start_hidden: true,
  image_cache_mb: 512,
};

describe('policy examples', () => {
  it('Linux policy.json sets every policy, all understood', () => {
    const parsed = policyLayer(JSON.parse(read('linux/policy.json')) as RawPolicy, 'example');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.layer).toEqual(expectedLayer);
  });

  it('the Windows .reg file sets the same values', () => {
    const raw: RawPolicy = {};
    for (const m of read('windows/merchant-im-policy.reg').matchAll(/^"(\w+)"=(?:dword:([0-9a-f]{8})|"([^"]*)")$/gm))
      raw[m[1]!] = m[2] !== undefined ? parseInt(m[2], 16) : m[3]!;
    expect(read('windows/merchant-im-policy.reg')).toContain('[HKEY_LOCAL_MACHINE\\Software\\Policies\\MerchantIM]');
    const parsed = policyLayer(raw, 'reg');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.layer).toEqual(expectedLayer);
  });

  it('the macOS profile payload sets the same values', () => {
    const doc = xml('macos/com.merchantim.desktop.mobileconfig');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const payload = [...doc.querySelectorAll('array > dict')].find((d) =>
      d.textContent?.includes('com.merchantim.desktop'),
    )!;
    const raw: RawPolicy = {};
    const children = [...payload.children];
    for (let i = 0; i < children.length; i += 2) {
      const key = children[i]!.textContent;
      const value = children[i + 1]!;
      if (key.startsWith('Payload')) continue;
      raw[key] = value.tagName === 'true' ? true : value.tagName === 'false' ? false : value.textContent;
    }
    const parsed = policyLayer(raw, 'profile');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.layer).toEqual(expectedLayer);
    expect(payload.querySelector('string')!.textContent).toBe('com.merchantim.desktop');
  });

  it('the Group Policy template defines every policy under the key the app reads, with its strings', () => {
    const admx = xml('windows/MerchantIM.admx');
    const adml = xml('windows/en-US/MerchantIM.adml');
    expect(admx.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(adml.getElementsByTagName('parsererror')).toHaveLength(0);
    const policies = [...admx.getElementsByTagName('policy')];
    const valueNames = policies
      .map((p) => p.getAttribute('valueName') ?? p.querySelector('[valueName]')!.getAttribute('valueName'))
      .sort();
    expect(valueNames).toEqual(ALL);
    expect(new Set(policies.map((p) => p.getAttribute('key')))).toEqual(new Set(['Software\\Policies\\MerchantIM']));
    const strings = new Set([...adml.getElementsByTagName('string')].map((s) => s.getAttribute('id')));
    const presentations = new Set([...adml.getElementsByTagName('presentation')].map((p) => p.getAttribute('id')));
    for (const ref of read('windows/MerchantIM.admx').matchAll(/\$\((string|presentation)\.(\w+)\)/g)) {
      expect((ref[1] === 'string' ? strings : presentations).has(ref[2]!), ref[0]).toBe(true);
    }
  });

  it('the MSI properties write policies the app knows', () => {
    for (const p of MSI_PROPERTIES) expect(ALL).toContain(p.policy);
  });
});
