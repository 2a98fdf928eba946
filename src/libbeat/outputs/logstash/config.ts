import type { ConnectionOptions } from 'node:tls';
import type { ConfigNode } from '../../config/config-node.js';
import { loadTlsOptions } from '../../transport/tls.js';

export const DEFAULT_PORT = 5044;

export interface HostPort {
  host: string;
  port: number;
}

export interface LogstashSettings {
  hosts: HostPort[];
  worker: number;
  loadbalance: boolean;
  /** `@metadata.beat` (the index Logstash's elasticsearch output usually writes to). */
  index: string;
  timeoutMs: number;
  maxRetries: number;
  bulkMaxSize: number;
  /** zlib level 0-9; 0 sends uncompressed JSON frames. */
  compressionLevel: number;
  /** Windows in flight per connection before waiting for the oldest ACK. */
  pipelining: number;
  flushIntervalMs: number;
  /** Connection lifetime before it is replaced between batches; 0 = forever. */
  ttlMs: number;
  tls: ConnectionOptions | undefined;
  backoff: { initMs: number; maxMs: number };
}

/** Parses `host`, `host:port`, `[v6]:port` and `v6` (no port) with a default port. */
export function parseHostPort(node: ConfigNode, key: string, raw: string, defPort: number): HostPort {
  const s = raw.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  let host = s;
  let port = defPort;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if (s.split(':').length === 2) {
    const i = s.lastIndexOf(':');
    host = s.slice(0, i);
    port = Number(s.slice(i + 1));
  }
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw node.error(key, `must be host or host:port with a port from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return { host, port };
}

export function readLogstashSettings(cfg: ConfigNode, beatName: string): LogstashSettings {
  const list = cfg.strList('hosts', []);
  if (list.length === 0) throw cfg.error('hosts', 'is required (a list of Logstash host:port, e.g. ["localhost:5044"])');
  const port = cfg.int('port', DEFAULT_PORT, { min: 1, max: 65535 });
  const hosts = list.map((h, i) => parseHostPort(cfg, `hosts.${i}`, h, port));
  return {
    hosts,
    worker: cfg.int('worker', 1, { min: 1 }),
    loadbalance: cfg.bool('loadbalance', false),
    index: cfg.str('index', beatName),
    timeoutMs: cfg.durationMs('timeout', 30_000, { min: 1, minMessage: 'must be a positive duration' }),
    maxRetries: cfg.int('max_retries', 3),
    bulkMaxSize: cfg.int('bulk_max_size', 2048, { min: 1 }),
    compressionLevel: cfg.int('compression_level', 3, { min: 0, max: 9 }),
    pipelining: cfg.int('pipelining', 2, { min: 1, max: 64 }),
    flushIntervalMs: cfg.durationMs('flush_interval', 1000, { min: 0 }),
    ttlMs: cfg.durationMs('ttl', 0, { min: 0 }),
    tls: loadTlsOptions(cfg),
    backoff: {
      initMs: cfg.durationMs('backoff.init', 1000, { min: 1 }),
      maxMs: cfg.durationMs('backoff.max', 60_000, { min: 1 }),
    },
  };
}
