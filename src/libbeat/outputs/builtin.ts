import { OutputRegistry } from './registry.js';
import { createConsoleOutput } from './console/index.js';
import { createFileOutput } from './file/index.js';
import { createElasticsearchOutput } from './elasticsearch/index.js';
import { createLogstashOutput } from './logstash/index.js';
import { createRedisOutput } from './redis/index.js';

/** The outputs every beat ships with. */
export function builtinOutputs(): OutputRegistry {
  const r = new OutputRegistry();
  r.register('console', createConsoleOutput);
  r.register('file', createFileOutput);
  r.register('elasticsearch', createElasticsearchOutput);
  r.register('logstash', createLogstashOutput);
  r.register('redis', createRedisOutput);
  return r;
}
