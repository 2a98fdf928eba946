import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import { readCommonConfig, DEFAULT_TRANSACTION_TIMEOUT_MS, type CommonProtocolConfig } from '../common-config.js';
import type { ValueLimits } from './message.js';

export const MEMCACHE_DEFAULT_PORTS = [11211] as const;

export interface MemcacheConfig extends CommonProtocolConfig, ValueLimits {
  /** Report commands the parser does not know (their reply still keeps the stream in step). */
  parseUnknown: boolean;
  /** How long a UDP request waits for all datagrams of its response. */
  udpTransactionTimeoutMs: number;
}

/** `protocols.memcache`: the common options plus `parseunknown`, `maxvalues`, `maxbytespervalue`, `udptransactiontimeout`. */
export function readMemcacheConfig(cfg: ConfigNode): MemcacheConfig {
  const maxBytes = cfg.int('maxbytespervalue', 0, { min: 0 });
  return {
    ...readCommonConfig(cfg, MEMCACHE_DEFAULT_PORTS),
    parseUnknown: cfg.bool('parseunknown', false),
    maxValues: cfg.int('maxvalues', 0, { min: -1 }),
    // 0 (the default) means unlimited; a kept value is still bounded so that memory stays bounded.
    maxBytesPerValue: maxBytes === 0 ? UNLIMITED_VALUE_BYTES : maxBytes,
    udpTransactionTimeoutMs: cfg.durationMs('udptransactiontimeout', DEFAULT_TRANSACTION_TIMEOUT_MS, { min: 1, unit: 'ms' }),
  };
}

/** What "unlimited" bytes per value keeps at most (memcached's default item size limit). */
export const UNLIMITED_VALUE_BYTES = 1024 * 1024;
