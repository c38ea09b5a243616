import type { AgentProvider } from './agents';
import { systemClock, type Clock } from './clock';
import { stderrLogger, type Logger } from './logger';
import { SystemLinkOpener, type LinkOpener } from './links';
import { InterfaceNetworkMonitor, type NetworkMonitor } from './network';
import { NodeNotifier, type Notifier } from './notifier';
import { DriftPowerMonitor, type PowerMonitor } from './power';
import { systemRandom, type Random } from './random';
import { plainSecretBox, type SecretBox } from './secrets';
import { ReportedWindowState, type WindowState } from './window-state';

export * from './clock';
export * from './random';
export * from './network';
export * from './power';
export * from './window-state';
export * from './notifier';
export * from './secrets';
export * from './links';
export * from './logger';
export * from './data-dir';
export * from './agents';

/**
 * Everything the client core needs from its host. The Electron shell and the browser-mode host
 * each build one; tests build one from the doubles in ./testing.
 * The core owns and disposes every port it is given.
 */
export interface ClientPorts {
  clock: Clock;
  random: Random;
  network: NetworkMonitor;
  power: PowerMonitor;
  window: WindowState;
  notifier: Notifier;
  secrets: SecretBox;
  links: LinkOpener;
  log: Logger;
  /** Optional: proxy-aware agents for the data channel (Electron shell); direct when absent. */
  agents?: AgentProvider;
}

/** Plain-Node ports, each overridable. */
export function createNodePorts(overrides: Partial<ClientPorts> = {}): ClientPorts {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? stderrLogger();
  return {
    clock,
    random: overrides.random ?? systemRandom,
    network: overrides.network ?? new InterfaceNetworkMonitor({ clock }),
    power: overrides.power ?? new DriftPowerMonitor({ clock }),
    window: overrides.window ?? new ReportedWindowState(),
    notifier: overrides.notifier ?? new NodeNotifier((err) => log.warn({ err: err.message }, 'notification failed')),
    secrets: overrides.secrets ?? plainSecretBox,
    links: overrides.links ?? new SystemLinkOpener(),
    log,
    ...(overrides.agents ? { agents: overrides.agents } : {}),
  };
}
