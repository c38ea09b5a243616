import { fileURLToPath } from 'node:url';
import { ClientCore, type ClientCoreOptions } from '../core/client-core';
import { createNodePorts, type ClientPorts } from '../ports';
import { startWebHost, type WebHost } from './host';

/** Where `npm run build:renderer` puts the renderer. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

export interface BrowserClientOptions {
  /** The client core's data folder (session, settings, one database per account). */
  dataDir: string;
  /** Preset server address shown on the sign-in page; `locked` as IT policy would. */
  serverUrl?: { url: string; locked: boolean };
  rendererDir?: string;
  port?: number;
  ports?: Partial<ClientPorts>;
  config?: ClientCoreOptions['config'];
  versions?: Record<string, string>;
}

export interface BrowserClient {
  url: string;
  core: ClientCore;
  host: WebHost;
  close(): Promise<void>;
}

/** The client core plus the browser-mode host in front of it: what `npm run web` runs. */
export async function startBrowserClient(options: BrowserClientOptions): Promise<BrowserClient> {
  const core = new ClientCore({
    dataDir: options.dataDir,
    ports: createNodePorts(options.ports),
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
    ...(options.config ? { config: options.config } : {}),
    versions: { mode: 'browser', ...options.versions },
  });
  await core.start();
  let host: WebHost;
  try {
    host = await startWebHost({
      target: core,
      rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (err) {
    await core.dispose();
    throw err;
  }
  return {
    url: host.url,
    core,
    host,
    async close() {
      await host.close();
      await core.dispose();
    },
  };
}
