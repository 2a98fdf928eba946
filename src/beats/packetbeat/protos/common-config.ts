import type { ConfigNode } from '../../../libbeat/config/config-node.js';

/** Options every protocol section has (`protocols.<name>.*`, shared reference §4.3). */
export interface CommonProtocolConfig {
  ports: number[];
  /** Include the raw request / response text in `request` / `response`. */
  sendRequest: boolean;
  sendResponse: boolean;
  /** Requests waiting longer than this for a response are published as unmatched. */
  transactionTimeoutMs: number;
}

export const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

/** Reads the common options; `defaultPorts` are the protocol's standard ports (used when `ports` is absent). */
export function readCommonConfig(cfg: ConfigNode, defaultPorts: readonly number[]): CommonProtocolConfig {
  return {
    ports: cfg.intList('ports', [...defaultPorts], { min: 1, max: 65535 }),
    sendRequest: cfg.bool('send_request', false),
    sendResponse: cfg.bool('send_response', false),
    transactionTimeoutMs: cfg.durationMs('transaction_timeout', DEFAULT_TRANSACTION_TIMEOUT_MS, { min: 1 }),
  };
}
