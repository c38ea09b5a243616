import type { Agent } from 'node:http';

/**
 * Optional port: the HTTP agent the data channel uses for a server URL (both transports), so the
 * Electron shell can route it through the system proxy (https-proxy-agent). Without it, or when it
 * answers undefined, connections go direct.
 */
export interface AgentProvider {
  agentFor(url: string): Promise<Agent | undefined>;
}
