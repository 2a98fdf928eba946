import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { nopLogger, createLogger, memorySink, type Logger } from '../../../src/libbeat/logp/logger.js';
import { Registry } from '../../../src/libbeat/monitoring/registry.js';
import { createElasticsearchOutput } from '../../../src/libbeat/outputs/elasticsearch/index.js';
import type { OutputGroup } from '../../../src/libbeat/outputs/output.js';

export const BEAT = { beat: 'testbeat', version: '1.0.0', name: 'host-a', hostname: 'host-a' };

/** Builds the ES output from a config section, with a fresh registry and (optionally) a log that keeps its lines. */
export async function esOutput(cfg: Record<string, unknown>, opts: { log?: Logger } = {}): Promise<{ group: OutputGroup; metrics: Registry }> {
  const metrics = new Registry();
  const group = await createElasticsearchOutput(new ConfigNode(cfg, 'test.yml', 'output.elasticsearch'), { beat: BEAT, log: opts.log ?? nopLogger, metrics });
  return { group, metrics };
}

export function memoryLogger(): { log: Logger; lines: string[] } {
  const sink = memorySink();
  return { log: createLogger({ level: 'debug', selectors: ['*'], sinks: [sink] }), lines: sink.lines };
}
