import type { OutputClient, OutputFactory } from '../output.js';
import { readRedisSettings } from './config.js';
import { RedisClient } from './client.js';

/**
 * `output.redis`: events as JSON documents pushed onto a Redis list (`RPUSH`, the default) or published on a
 * channel (`PUBLISH`), Beats 1.0 options plus `hosts` with load balancing, `key` formats and TLS.
 * See docs/redis.md.
 */
export const createRedisOutput: OutputFactory = (cfg, ctx) => {
  const s = readRedisSettings(cfg, ctx.beat.beat);
  const log = ctx.log.child('redis');
  const metrics = {
    acked: ctx.metrics.counter('libbeat.redis.published_and_acked_events'),
    failed: ctx.metrics.counter('libbeat.redis.published_but_not_acked_events'),
  };
  const fallbackKey = s.key.isStatic ? s.key.text : ctx.beat.beat;
  const clients: OutputClient[] = [];
  for (const host of s.hosts) {
    for (let i = 0; i < s.worker; i++) {
      clients.push(
        new RedisClient({
          host,
          password: s.password,
          db: s.db,
          timeoutMs: s.timeoutMs,
          key: s.key,
          fallbackKey,
          datatype: s.datatype,
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
    // Beats 1.0 waits reconnect_interval between attempts; later versions back off from there.
    backoff: { initMs: s.reconnectIntervalMs, maxMs: Math.max(s.reconnectIntervalMs, 60_000) },
  };
};
