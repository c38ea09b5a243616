import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_STAFF } from '../../src-server';
import { DEMO_SIGN_INS } from '../../src-main/web/demo-accounts';
import { probeElectron } from '../../src-main/web/electron-probe';

/** `npm start`'s pieces that do not need a browser: the printed sign-ins and the Electron probe. */
describe('npm start launcher', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('prints sign-ins that exist in the server demo seed', () => {
    expect(DEMO_SIGN_INS.password).toBe(DEMO_PASSWORD);
    const staff = new Map<string, string>(DEMO_STAFF.map((s) => [s.account, s.merchant_id]));
    for (const s of DEMO_SIGN_INS.staff) expect(staff.has(s.account)).toBe(true);
    expect(staff.get('alice@hotel')).toBe(staff.get('bob@hotel')); // "a colleague to transfer to"
    const customers = new Set<string>(DEMO_CUSTOMERS.map((c) => c.account));
    for (const c of DEMO_SIGN_INS.customers) expect(customers.has(c)).toBe(true);
  });

  /** A node_modules/electron with `path.txt` naming `binary`, which is a shell script exiting `code`. */
  function fakeElectron(code: number | null): string {
    const root = mkdtempSync(join(tmpdir(), 'electron-probe-'));
    roots.push(root);
    const pkg = join(root, 'node_modules', 'electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    if (code === null) return root;
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    const bin = join(pkg, 'dist', 'electron');
    writeFileSync(bin, `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || exit 9\necho v20.0.0\nexit ${code}\n`);
    chmodSync(bin, 0o755);
    return root;
  }

  it('finds no Electron when the binary was never downloaded, or cannot run, and says why', () => {
    expect(probeElectron(fakeElectron(null), { DISPLAY: ':0' }, 'linux')).toEqual({
      usable: false,
      reason: expect.stringContaining('never downloaded') as string,
    });
    expect(probeElectron(fakeElectron(0), {}, 'linux')).toEqual({
      usable: false,
      reason: expect.stringContaining('no display') as string,
    });
    expect(probeElectron(fakeElectron(3), { DISPLAY: ':0' }, 'linux')).toEqual({
      usable: false,
      reason: expect.stringContaining('exited with 3') as string,
    });
  });

  it('accepts a binary that answers --version as Node, without opening a window', () => {
    const root = fakeElectron(0);
    expect(probeElectron(root, { DISPLAY: ':0', PATH: process.env.PATH }, 'linux')).toEqual({
      usable: true,
      binary: join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
  });
});
