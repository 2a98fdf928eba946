import type { OutputClient, OutputFactory } from '../output.js';
import { readLogstashSettings } from './config.js';
import { LogstashClient, type LogstashMetrics } from './client.js';

/**
 * `output.logstash`: events to Logstash's beats input over lumberjack v2, with ACKs, an adaptive window, zlib
 * compression and TLS. `worker` connections per host; `loadbalance: false` (the default) uses one host at a time and
 * fails over to the next, `true` spreads batches over all connections. See docs/logstash.md.
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
  const clients: OutputClient[] = [];
  for (const host of s.hosts) {
    for (let i = 0; i < s.worker; i++) {
      clients.push(
        new LogstashClient({
          host,
          index: s.index,
          timeoutMs: s.timeoutMs,
          bulkMaxSize: s.bulkMaxSize,
          compressionLevel: s.compressionLevel,
          pipelining: s.pipelining,
          tls: s.tls,
          log,
          metrics,
        }),
      );
    }
  }
  return {
    clients,
    batchSize: s.bulkMaxSize,
    maxRetries: s.maxRetries,
    loadbalance: s.loadbalance,
    flushIntervalMs: s.flushIntervalMs,
    backoff: s.backoff,
  };
};
