import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';

export const DNS_DEFAULT_PORTS = [53] as const;

/** `protocols.dns.*` (Beats 1.0 options). */
export interface DnsConfig extends CommonProtocolConfig {
  /** Export the authority section in `dns.authorities`. */
  includeAuthorities: boolean;
  /** Export the additional section in `dns.additionals`. */
  includeAdditionals: boolean;
}

export function readDnsConfig(cfg: ConfigNode): DnsConfig {
  return {
    ...readCommonConfig(cfg, DNS_DEFAULT_PORTS),
    includeAuthorities: cfg.bool('include_authorities', false),
    includeAdditionals: cfg.bool('include_additionals', false),
  };
}
