import { parseArgs } from 'node:util';
import { startServer } from './server';
import { startSimulation } from './sim/simulate';

/**
 * `npm run server -- --port P --data-dir D [--host H] [--demo] [--simulate N]`
 * Every flag has an environment equivalent: IM_PORT, IM_DATA_DIR, IM_HOST, IM_DEMO=1, IM_SIMULATE.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.IM_PORT ?? '8080' },
    'data-dir': { type: 'string', default: process.env.IM_DATA_DIR ?? '.data/server' },
    host: { type: 'string', default: process.env.IM_HOST ?? '127.0.0.1' },
    demo: { type: 'boolean', default: process.env.IM_DEMO === '1' || process.env.IM_DEMO === 'true' },
    simulate: { type: 'string', default: process.env.IM_SIMULATE ?? '0' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npm run server -- --port P --data-dir D [--host H] [--demo] [--simulate N]\n');
  process.exit(0);
}

const port = Number(values.port);
const simulate = Number(values.simulate);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
if (!Number.isInteger(simulate) || simulate < 0) throw new Error(`bad --simulate ${values.simulate}`);

const server = await startServer({
  port,
  host: values.host,
  dataDir: values['data-dir'],
  demo: values.demo || simulate > 0,
});
server.logger.info(
  { url: server.url, customer_page: `${server.url}/customer/`, demo: values.demo || simulate > 0 },
  'ready',
);
const simulation =
  simulate > 0
    ? await startSimulation(server.url, server.store, {
        customers: simulate,
        logger: server.logger.child({ part: 'simulate' }),
      })
    : null;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    (simulation?.stop() ?? Promise.resolve())
      .then(() => server.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          server.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
