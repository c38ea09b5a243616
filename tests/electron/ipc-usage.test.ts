import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Keeps the shell's security structure from eroding: Electron is loaded at run time only by the
 * entry point and the preload (everything else takes it injected, typed), raw ipcMain is touched
 * only by the one validating wrapper, ipcRenderer and contextBridge only by the preload, and no
 * file turns a webPreferences safety switch off.
 */
const root = join(import.meta.dirname, '..', '..');
const srcMain = join(root, 'src-main');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Facts {
  file: string;
  runtimeElectronImport: boolean;
  memberCalls: string[];
  unsafePreferences: string[];
}

function factsOf(file: string): Facts {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const facts: Facts = {
    file: relative(root, file).replace(/\\/g, '/'),
    runtimeElectronImport: false,
    memberCalls: [],
    unsafePreferences: [],
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      /^electron(\/|$)/.test(node.moduleSpecifier.text)
    ) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause?.namedBindings &&
          ts.isNamedImports(clause.namedBindings) &&
          !clause.name &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) facts.runtimeElectronImport = true;
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const target = node.expression.expression.getText(source).replace(/^this\./, '');
      facts.memberCalls.push(`${target}.${node.expression.name.text}`);
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const name = node.name.text;
      const value = node.initializer.getText(source);
      const unsafe =
        ([
          'nodeIntegration',
          'nodeIntegrationInWorker',
          'nodeIntegrationInSubFrames',
          'allowRunningInsecureContent',
          'experimentalFeatures',
          'webviewTag',
        ].includes(name) &&
          value !== 'false') ||
        (['contextIsolation', 'sandbox', 'webSecurity'].includes(name) && value !== 'true');
      if (unsafe) facts.unsafePreferences.push(`${name}: ${value}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return facts;
}

const all = tsFiles(srcMain).map(factsOf);
const callers = (pattern: RegExp) => all.filter((f) => f.memberCalls.some((c) => pattern.test(c))).map((f) => f.file);

describe('Electron usage boundaries', () => {
  it('loads electron at run time only in the entry point and the preload', () => {
    expect(all.filter((f) => f.runtimeElectronImport).map((f) => f.file)).toEqual([
      'src-main/electron/main.ts',
      'src-main/electron/preload.ts',
    ]);
  });

  it('touches raw ipcMain only in the validating wrapper', () => {
    expect(callers(/(^|\.)ipcMain\.(handle|handleOnce|on|once|addListener|prependListener)$/)).toEqual([
      'src-main/electron/ipc.ts',
    ]);
  });

  it('uses ipcRenderer and contextBridge only in the preload, exposing one object', () => {
    expect(callers(/(^|\.)ipcRenderer\./)).toEqual(['src-main/electron/preload.ts']);
    const preload = all.find((f) => f.file === 'src-main/electron/preload.ts')!;
    expect(preload.memberCalls.filter((c) => c.startsWith('contextBridge.'))).toEqual([
      'contextBridge.exposeInMainWorld',
    ]);
    expect(readFileSync(join(srcMain, 'electron', 'preload.ts'), 'utf8')).toMatch(
      /exposeInMainWorld\('merchantIm', api\)/,
    );
  });

  it('never turns a webPreferences safety switch off', () => {
    expect(all.flatMap((f) => f.unsafePreferences.map((p) => `${f.file}: ${p}`))).toEqual([]);
  });

  it('would notice a violation (the checks can fail)', () => {
    const probe = join(import.meta.dirname, 'fixtures', 'insecure-window.ts.txt');
    const facts = factsOf(probe);
    expect(facts.runtimeElectronImport).toBe(true);
    expect(facts.memberCalls).toContain('ipcMain.handle');
    expect(facts.unsafePreferences).toEqual(['nodeIntegration: true', 'contextIsolation: false']);
  });
});
