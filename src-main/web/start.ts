import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SystemLinkOpener } from '../ports';
import { DEFAULT_RENDERER_DIR, startBrowserClient } from './client';
import { DEMO_SIGN_INS } from './demo-accounts';
import { probeElectron } from './electron-probe';
import { ensureRendererBuilt } from './renderer-build';
import { freePort, startServerProcess } from './server-process';

/**
 * `npm start`: the whole product on one machine. The IM server with embedded SQLite and demo
 * data, then the desktop client — in Electron when a working binary exists, otherwise in browser
 * mode, saying so. Data lives under ./.data (git-ignored), so a restart keeps sign-in and history.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(ROOT, '.data') },
    'server-port': { type: 'string', default: '7310' },
    'ui-port': { type: 'string', default: '0' },
    open: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
  },
});
const log = (line = '') => process.stdout.write(`${line}\n`);
const dataDir = values['data-dir'];
mkdirSync(dataDir, { recursive: true });

const port = await freePort(Number(values['server-port']));
if (port !== Number(values['server-port']))
  log(`Port ${values['server-port']} is busy; the IM server uses ${port} this time.`);
log('Starting the IM server (embedded SQLite, demo data)…');
const server = await startServerProcess({
  root: ROOT,
  dataDir: join(dataDir, 'server'),
  port,
  demo: true,
  onLog: (line) => log(line),
});

const closers: (() => Promise<void>)[] = [() => server.stop()];
let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  (async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => console.error(err));
  })().then(
    () => process.exit(code),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
void server.exited.then((code) => {
  if (!stopping) {
    log(`The IM server stopped unexpectedly (exit ${code}).`);
    stop(1);
  }
});

const printSignIns = () => {
  log();
  log(`IM server:      ${server.url}`);
  log(`Customer page:  ${server.url}/customer/   (sign in as a customer: ${DEMO_SIGN_INS.customers.join(', ')})`);
  log(`Demo staff sign-ins (password "${DEMO_SIGN_INS.password}"):`);
  for (const s of DEMO_SIGN_INS.staff) log(`  ${s.account.padEnd(14)} ${s.who}`);
};

const electron = values.browser
  ? ({ usable: false, reason: 'browser mode was asked for (--browser)' } as const)
  : probeElectron(ROOT);
if (electron.usable) {
  log('Starting the desktop client in Electron…');
  const { bundle } = await import('../electron/packaging/bundle');
  await bundle({ minify: false });
  const app = spawn(electron.binary, [join(ROOT, 'dist', 'electron', 'main.cjs')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, MERCHANT_IM_SERVER_URL: server.url },
  });
  closers.push(() => {
    if (app.exitCode === null) app.kill('SIGTERM');
    return Promise.resolve();
  });
  printSignIns();
  app.once('exit', (code) => stop(code ?? 0));
} else {
  log(`Electron cannot run here: ${electron.reason}.`);
  log('Running the desktop client in browser mode instead: same client core, same UI, in your browser.');
  await ensureRendererBuilt(DEFAULT_RENDERER_DIR, log);
  const client = await startBrowserClient({
    dataDir: join(dataDir, 'client'),
    serverUrl: { url: server.url, locked: false },
    port: Number(values['ui-port']),
  });
  closers.push(() => client.close());
  printSignIns();
  log();
  log("Open the Merchant IM workspace at this address on this machine (it carries this launch's key):");
  log(`  ${client.url}`);
  log('Press Ctrl+C to stop everything.');
  if (values.open)
    await new SystemLinkOpener()
      .open(client.url)
      .catch((err: Error) => log(`Could not open a browser: ${err.message}`));
}
