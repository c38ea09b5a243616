/**
 * Public properties of the per-machine MSI, for SCCM / Intune command lines:
 *
 *   msiexec /i "Merchant IM.msi" /qn SERVER_URL=https://im.example.com LOCK_SERVER_URL=1 DISABLE_AUTO_UPDATE=1 START_AT_LOGIN=1
 *
 * Each one, when given, is written as a machine-wide policy value under
 * HKLM\Software\Policies\MerchantIM — the same key Group Policy would set and the app reads (see
 * src-main/shell/policy-sources.ts) — and removed again when the product is uninstalled.
 */
export const MSI_PROPERTIES = [
  {
    property: 'SERVER_URL',
    policy: 'ServerUrl',
    type: 'string',
    condition: 'SERVER_URL',
    value: '[SERVER_URL]',
    guid: '{3B0F6C1E-5A43-4C0B-9C55-2C8A7D1E6F01}',
  },
  {
    property: 'LOCK_SERVER_URL',
    policy: 'LockServerUrl',
    type: 'integer',
    condition: 'LOCK_SERVER_URL = "1"',
    value: '1',
    guid: '{3B0F6C1E-5A43-4C0B-9C55-2C8A7D1E6F02}',
  },
  {
    property: 'DISABLE_AUTO_UPDATE',
    policy: 'DisableAutoUpdate',
    type: 'integer',
    condition: 'DISABLE_AUTO_UPDATE = "1"',
    value: '1',
    guid: '{3B0F6C1E-5A43-4C0B-9C55-2C8A7D1E6F03}',
  },
  // Either value is meaningful: 0 forces start-at-login off, 1 forces it on; absent leaves it to the user.
  {
    property: 'START_AT_LOGIN',
    policy: 'StartAtLogin',
    type: 'integer',
    condition: 'START_AT_LOGIN = "0" OR START_AT_LOGIN = "1"',
    value: '[START_AT_LOGIN]',
    guid: '{3B0F6C1E-5A43-4C0B-9C55-2C8A7D1E6F04}',
  },
] as const;

export const POLICY_REGISTRY_KEY = 'Software\\Policies\\MerchantIM';

/** Adds the properties, one conditional registry component each, and a hidden feature holding them. */
export function addMsiPolicyProperties(wxs: string): string {
  if (wxs.includes('Id="MimManagedConfiguration"')) return wxs;
  const closing = wxs.lastIndexOf('</Product>');
  if (closing < 0) throw new Error('MSI project has no <Product> element; the electron-builder template changed');
  const xml = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const block = [
    '    <!-- Merchant IM managed configuration: public properties written as machine policy (docs/deployment.md). -->',
    ...MSI_PROPERTIES.map((p) => `    <Property Id="${p.property}" Secure="yes"/>`),
    '    <DirectoryRef Id="TARGETDIR">',
    ...MSI_PROPERTIES.flatMap((p) => [
      `      <Component Id="MimPolicy${p.policy}" Guid="${p.guid}">`,
      `        <Condition>${xml(p.condition)}</Condition>`,
      `        <RegistryValue Root="HKLM" Key="${POLICY_REGISTRY_KEY}" Name="${p.policy}" Type="${p.type}" Value="${p.value}" KeyPath="yes"/>`,
      '      </Component>',
    ]),
    '    </DirectoryRef>',
    '    <Feature Id="MimManagedConfiguration" Level="1" Absent="disallow" Display="hidden">',
    ...MSI_PROPERTIES.map((p) => `      <ComponentRef Id="MimPolicy${p.policy}"/>`),
    '    </Feature>',
    '',
  ].join('\n');
  return `${wxs.slice(0, closing)}${block}  ${wxs.slice(closing)}`;
}
