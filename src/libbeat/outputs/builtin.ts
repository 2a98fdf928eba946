import { OutputRegistry } from './registry.js';
import type { OutputFactory } from './output.js';

/**
 * An output whose module is imported only when a config uses it: a beat's RSS then holds only its configured
 * outputs (importing every output eagerly, with undici and ioredis, costs ~30 MB of RSS; measured in
 * bench/topbeat).
 */
function lazy(load: () => Promise<OutputFactory>): OutputFactory {
  return async (cfg, ctx) => (await load())(cfg, ctx);
}

/** The outputs every beat ships with. */
export function builtinOutputs(): OutputRegistry {
  const r = new OutputRegistry();
  r.register('console', lazy(async () => (await import('./console/index.js')).createConsoleOutput));
  r.register('file', lazy(async () => (await import('./file/index.js')).createFileOutput));
  r.register('elasticsearch', lazy(async () => (await import('./elasticsearch/index.js')).createElasticsearchOutput));
  r.register('logstash', lazy(async () => (await import('./logstash/index.js')).createLogstashOutput));
  r.register('redis', lazy(async () => (await import('./redis/index.js')).createRedisOutput));
  return r;
}
