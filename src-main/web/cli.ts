import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SystemLinkOpener } from '../ports';
import { DEFAULT_RENDERER_DIR, startBrowserClient } from './client';
import { ensureRendererBuilt } from './renderer-build';

const HELP = `npm run web -- [options]

Runs the Merchant IM client core in Node and serves its UI to a browser on this machine.

  --data-dir <dir>     client data folder (default ./.data/client)
  --server-url <url>   server address to prefill on the sign-in page
  --lock-server-url    do not let the user change that address (as IT policy would)
  --port <n>           local port of the UI (default: any free port)
  --open               open the UI in the default browser
  -h, --help           this text
`;

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.data/client' },
    'server-url': { type: 'string' },
    'lock-server-url': { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    open: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const log = (line: string) => process.stdout.write(`${line}\n`);
await ensureRendererBuilt(DEFAULT_RENDERER_DIR, log);
const client = await startBrowserClient({
  dataDir: resolve(values['data-dir']),
  port: Number(values.port),
  ...(values['server-url'] ? { serverUrl: { url: values['server-url'], locked: values['lock-server-url'] } } : {}),
});

log('');
log('Merchant IM is running in browser mode.');
log(`Open this address in a browser on this machine (it carries this launch's key):`);
log(`  ${client.url}`);
log('Press Ctrl+C to stop.');
if (values.open)
  await new SystemLinkOpener().open(client.url).catch((err: Error) => log(`Could not open a browser: ${err.message}`));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  client.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
