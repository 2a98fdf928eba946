import type { OutputClient, OutputFactory } from '../output.js';
import { readLogstashSettings } from './config.js';
import { LogstashClient } from './client.js';
import { LogstashLink, type LogstashMetrics } from './link.js';

/**
 * `output.logstash`: events to Logstash's beats input over lumberjack v2, with ACKs, an adaptive window, zlib
 * compression and TLS. `worker` connections per host. `loadbalance: false` (the default) uses one host at a time
 * and fails over to the next; `true` spreads batches over all connections. With a single host (or load balancing)
 * `pipelining` batches share each connection, so the next batch is encoded and sent while Logstash works on the
 * previous one. See docs/logstash.md.
 */
export const createLogstashOutput: OutputFactory = (cfg, ctx) => {
  const s = readLogstashSettings(cfg, ctx.beat.beat);
  const log = ctx.log.child('logstash');
  const metrics: LogstashMetrics = {
    acked: ctx.metrics.counter('libbeat.logstash.published_and_acked_events'),
    timeouts: ctx.metrics.counter('libbeat.logstash.ack_timeouts'),
    reconnects: ctx.metrics.counter('libbeat.logstash.reconnects'),
    windowSize: ctx.metrics.gauge('libbeat.logstash.window_size'),
    bytes: ctx.metrics.counter('libbeat.logstash.published_bytes'),
  };
  const concurrent = s.loadbalance || s.hosts.length === 1;
  const perLink = concurrent ? s.pipelining : 1;
  const clients: OutputClient[] = [];
  for (const host of s.hosts) {
    for (let i = 0; i < s.worker; i++) {
      const link = new LogstashLink({ host, timeoutMs: s.timeoutMs, bulkMaxSize: s.bulkMaxSize, tls: s.tls, log, metrics, ttlMs: s.ttlMs });
      for (let k = 0; k < perLink; k++) {
        const suffix = s.worker > 1 || perLink > 1 ? `#${i}.${k}` : '';
        clients.push(new LogstashClient(link, { index: s.index, compressionLevel: s.compressionLevel }, suffix));
      }
    }
  }
  return {
    clients,
    batchSize: s.bulkMaxSize,
    maxRetries: s.maxRetries,
    loadbalance: concurrent,
    flushIntervalMs: s.flushIntervalMs,
    backoff: s.backoff,
  };
};
