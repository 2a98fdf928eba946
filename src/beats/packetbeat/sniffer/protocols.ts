import type { BeatEvent } from '../../../libbeat/common/event.js';
import type { ConfigNode } from '../../../libbeat/config/config-node.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import { isTcpProtocol, isUdpProtocol, type Protocol } from '../protos/protocol.js';
import type { ProtocolRegistry } from '../protos/registry.js';

export interface BuildProtocolsOptions {
  log: Logger;
  /** The engine's clock (capture time when reading a file). */
  now: () => number;
  /** Where the protocols' transaction events go (the enricher, then the pipeline). */
  report: (event: BeatEvent) => void;
}

/**
 * Builds the protocols configured under `protocols` (each present section enables its protocol, as in 1.0;
 * `enabled: false` turns one off). Unknown names and ports claimed twice for one transport are config errors.
 */
export function buildProtocols(registry: ProtocolRegistry, section: ConfigNode, opts: BuildProtocolsOptions): Protocol[] {
  const out: Protocol[] = [];
  const tcpPorts = new Map<number, string>();
  const udpPorts = new Map<number, string>();
  for (const name of section.keys()) {
    const factory = registry.get(name);
    if (factory === undefined) {
      throw section.error(name, `unknown protocol (known: ${registry.names().join(', ')})`);
    }
    const cfg = section.child(name);
    if (!cfg.bool('enabled', true)) continue;
    const proto = factory(cfg, { report: opts.report, log: opts.log.child(name), now: opts.now });
    for (const claimed of [isTcpProtocol(proto) ? tcpPorts : undefined, isUdpProtocol(proto) ? udpPorts : undefined]) {
      if (claimed === undefined) continue;
      for (const port of proto.ports) {
        const other = claimed.get(port);
        if (other !== undefined && other !== name) {
          throw cfg.error('ports', `port ${port} is already used by protocols.${other}`);
        }
        claimed.set(port, name);
      }
    }
    out.push(proto);
  }
  return out;
}

/** Every TCP and UDP port the protocols listen on (for the generated BPF filter). */
export function protocolPorts(protocols: readonly Protocol[]): { tcp: number[]; udp: number[] } {
  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const p of protocols) {
    for (const port of p.ports) {
      if (isTcpProtocol(p)) tcp.add(port);
      if (isUdpProtocol(p)) udp.add(port);
    }
  }
  return { tcp: [...tcp].sort((a, b) => a - b), udp: [...udp].sort((a, b) => a - b) };
}
