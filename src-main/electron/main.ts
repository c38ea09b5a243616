import { join } from 'node:path';
import * as electron from 'electron';
import { autoUpdater } from 'electron-updater';
import { nodePolicyIo } from '../shell/node-policy-io';
import { createFileLogger } from './logging';
import { runShell } from './shell-app';

/**
 * Electron entry point, bundled to dist/electron/main.cjs (see packaging/bundle.ts). It only hands
 * the real Electron module to the shell; everything else lives in modules tested with a double.
 */
declare const MERCHANT_IM_BUILT_IN_UPDATE_URL: string | undefined;

runShell(electron, {
  argv: process.argv,
  env: process.env,
  platform: process.platform,
  execPath: process.execPath,
  // main.cjs sits in <appRoot>/dist/electron/.
  appRoot: join(__dirname, '..', '..'),
  versions: Object.fromEntries(
    Object.entries(process.versions).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ),
  osVersion: process.getSystemVersion(),
  autoUpdater: () => autoUpdater,
  createLogger: createFileLogger,
  io: nodePolicyIo,
  builtInFeedUrl:
    typeof MERCHANT_IM_BUILT_IN_UPDATE_URL === 'string' && MERCHANT_IM_BUILT_IN_UPDATE_URL !== ''
      ? MERCHANT_IM_BUILT_IN_UPDATE_URL
      : null,
});
