import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { AgentProvider } from '../ports/agents';
import type { ProxyRoute } from './proxy';

/**
 * The core's AgentProvider port, answered with the system proxy (PAC included): resolved routes
 * become agents, one per proxy (agents pool their sockets). The agent tunnels with CONNECT, so it
 * carries WebSocket upgrades and HTTPS alike; credentials in the proxy URL go out as
 * Proxy-Authorization: Basic.
 */
export class ProxyAgents implements AgentProvider {
  private readonly agents = new Map<string, HttpsProxyAgent<string>>();

  constructor(private readonly resolve: (url: string) => Promise<ProxyRoute>) {}

  async agentFor(url: string): Promise<Agent | undefined> {
    const route = await this.resolve(url);
    if (route.kind === 'direct') return undefined;
    let agent = this.agents.get(route.url);
    if (!agent) {
      agent = new HttpsProxyAgent(route.url, { keepAlive: true });
      this.agents.set(route.url, agent);
    }
    return agent;
  }

  dispose(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
