import type { OutputClient, OutputFactory } from '../output.js';
import { loadEsConfig } from './config.js';
import { EsClient, esMetrics } from './client.js';
import { createTemplateHook } from './template-hook.js';

/**
 * `output.elasticsearch`: bulk indexing into daily indices `<index>-YYYY.MM.DD`, `worker` clients per host,
 * load balancing (or failover) across hosts, version-aware `_type`, index template installed at connect.
 * See docs/elasticsearch.md for every option.
 */
export const createElasticsearchOutput: OutputFactory = (cfg, ctx) => {
  const c = loadEsConfig(cfg, ctx.beat.beat);
  const metrics = esMetrics(ctx.metrics);
  const template = c.template.enabled ? createTemplateHook(c.template, ctx.beat, ctx.log) : undefined;
  const clients: OutputClient[] = [];
  for (const url of c.hosts) {
    for (let w = 0; w < c.workers; w++) clients.push(new EsClient(c, url, ctx.log, metrics, template));
  }
  return {
    clients,
    batchSize: c.bulkMaxSize,
    maxRetries: c.maxRetries,
    loadbalance: c.loadbalance,
    flushIntervalMs: c.flushIntervalMs,
    backoff: { initMs: c.backoffInitMs, maxMs: c.backoffMaxMs },
  };
};
