// @vitest-environment jsdom
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { msiProjectCreated } from '../../src-main/electron/packaging/hooks';
import { MSI_PROPERTIES, addMsiPolicyProperties } from '../../src-main/electron/packaging/msi-policy';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The shape of electron-builder's WiX template (templates/msi/template.xml), abridged. */
const WXS = `<?xml version="1.0" encoding="UTF-8"?>
<Wix xmlns="http://wixtoolset.org/schemas/v4/wxs">
  <Product Id="*" Name="Merchant IM" UpgradeCode="6f1d2a6e-3c0b-4e58-9b8d-5d3c1f7a9e21" Version="0.1.0" Language="1033" Manufacturer="Merchant IM">
    <Package Compressed="yes" InstallerVersion="500"/>
    <Property Id="ALLUSERS" Secure="yes" Value="1"/>
    <Directory Id="TARGETDIR" Name="SourceDir"><Directory Id="ProgramFiles64Folder"><Directory Id="APPLICATIONFOLDER" Name="Merchant IM"/></Directory></Directory>
    <Feature Id="ProductFeature" Absent="disallow"><ComponentGroupRef Id="ProductComponents"/></Feature>
    <ComponentGroup Id="ProductComponents" Directory="APPLICATIONFOLDER"></ComponentGroup>
  </Product>
</Wix>
`;

describe('MSI public properties (msiProjectCreated hook)', () => {
  it('adds each property as a conditional HKLM policy value in a hidden feature, well-formed', () => {
    const out = addMsiPolicyProperties(WXS);
    const doc = new DOMParser().parseFromString(out, 'application/xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const props = [...doc.getElementsByTagName('Property')].map((p) => p.getAttribute('Id'));
    expect(props).toEqual(['ALLUSERS', 'SERVER_URL', 'LOCK_SERVER_URL', 'DISABLE_AUTO_UPDATE', 'START_AT_LOGIN']);
    const values = [...doc.getElementsByTagName('RegistryValue')].map((r) => [
      r.getAttribute('Root'),
      r.getAttribute('Key'),
      r.getAttribute('Name'),
      r.getAttribute('Type'),
      r.getAttribute('Value'),
    ]);
    expect(values).toEqual([
      ['HKLM', 'Software\\Policies\\MerchantIM', 'ServerUrl', 'string', '[SERVER_URL]'],
      ['HKLM', 'Software\\Policies\\MerchantIM', 'LockServerUrl', 'integer', '1'],
      ['HKLM', 'Software\\Policies\\MerchantIM', 'DisableAutoUpdate', 'integer', '1'],
      ['HKLM', 'Software\\Policies\\MerchantIM', 'StartAtLogin', 'integer', '[START_AT_LOGIN]'],
    ]);
    const conditions = [...doc.getElementsByTagName('Condition')].map((c) => c.textContent);
    expect(conditions).toEqual(MSI_PROPERTIES.map((p) => p.condition));
    const feature = [...doc.getElementsByTagName('Feature')].find(
      (f) => f.getAttribute('Id') === 'MimManagedConfiguration',
    )!;
    expect(feature.getAttribute('Display')).toBe('hidden');
    expect(feature.getElementsByTagName('ComponentRef')).toHaveLength(4);
    // Component GUIDs must stay stable across builds and be unique.
    expect(new Set(MSI_PROPERTIES.map((p) => p.guid)).size).toBe(4);
  });

  it('is idempotent and refuses a template it does not understand', () => {
    const once = addMsiPolicyProperties(WXS);
    expect(addMsiPolicyProperties(once)).toBe(once);
    expect(() => addMsiPolicyProperties('<Wix/>')).toThrow(/no <Product>/);
  });

  it('rewrites the project file in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mim-msi-'));
    dirs.push(dir);
    const file = join(dir, 'project.wxs');
    writeFileSync(file, WXS);
    await msiProjectCreated(file);
    expect(readFileSync(file, 'utf8')).toContain('Id="MimPolicyServerUrl"');
  });
});
