import type { ConnectionOptions } from 'node:tls';
import type { ConfigNode } from '../../config/config-node.js';
import { loadTlsOptions } from '../../transport/tls.js';
import { parseHostPort, type HostPort } from '../logstash/config.js';
import { compileKey, type KeyFormat } from './key.js';

export const DEFAULT_PORT = 6379;

export interface RedisSettings {
  hosts: HostPort[];
  password: string | undefined;
  db: number;
  timeoutMs: number;
  reconnectIntervalMs: number;
  key: KeyFormat;
  datatype: 'list' | 'channel';
  worker: number;
  loadbalance: boolean;
  bulkMaxSize: number;
  maxRetries: number;
  flushIntervalMs: number;
  tls: ConnectionOptions | undefined;
}

/**
 * Beats 1.0 options (`host`, `port`, `password`, `db`, `timeout`, `reconnect_interval`, `index`, `datatype`) and the
 * later ones (`hosts`, `key` with `%{[field]}` references, `worker`, `loadbalance`, `bulk_max_size`, `tls`).
 */
export function readRedisSettings(cfg: ConfigNode, beatName: string): RedisSettings {
  const port = cfg.int('port', DEFAULT_PORT, { min: 1, max: 65535 });
  let hosts: HostPort[];
  if (cfg.has('hosts')) {
    const list = cfg.strList('hosts', []);
    if (list.length === 0) throw cfg.error('hosts', 'must list at least one Redis host:port');
    hosts = list.map((h, i) => parseHostPort(cfg, `hosts.${i}`, h, port));
  } else {
    hosts = [parseHostPort(cfg, 'host', cfg.str('host', 'localhost'), port)];
  }
  const keyKey = cfg.has('key') ? 'key' : 'index';
  const keyText = cfg.str(keyKey, beatName);
  if (keyText === '') throw cfg.error(keyKey, 'must not be empty');
  return {
    hosts,
    password: cfg.str('password'),
    db: cfg.int('db', 0, { min: 0 }),
    timeoutMs: cfg.durationMs('timeout', 5000, { min: 1, minMessage: 'must be a positive duration' }),
    reconnectIntervalMs: cfg.durationMs('reconnect_interval', 1000, { min: 1, minMessage: 'must be a positive duration' }),
    key: compileKey(cfg, keyKey, keyText),
    datatype: cfg.oneOf('datatype', ['list', 'channel'] as const, 'list'),
    worker: cfg.int('worker', 1, { min: 1 }),
    loadbalance: cfg.bool('loadbalance', true),
    bulkMaxSize: cfg.int('bulk_max_size', 2048, { min: 1 }),
    maxRetries: cfg.int('max_retries', 3),
    flushIntervalMs: cfg.durationMs('flush_interval', 1000, { min: 0 }),
    tls: loadTlsOptions(cfg),
  };
}
