import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import type { OutputClient, OutputGroup } from '../../src/libbeat/outputs/output.js';
import { PublishPipeline, type PipelineOptions } from '../../src/libbeat/publisher/pipeline/pipeline.js';

export const TEST_BEAT = { beat: 'testbeat', version: '0.0.0', name: 'test-host', hostname: 'test-host' };

/** An output group with fast backoff, for tests. */
export function group(clients: OutputClient[], over: Partial<OutputGroup> = {}): OutputGroup {
  return {
    clients,
    batchSize: 50,
    maxRetries: 3,
    loadbalance: true,
    flushIntervalMs: 0,
    backoff: { initMs: 1, maxMs: 4 },
    ...over,
  };
}

/** A started pipeline over the given outputs. */
export function startPipeline(
  outputs: Record<string, OutputGroup>,
  over: Partial<PipelineOptions> = {},
): { pipeline: PublishPipeline; metrics: Registry } {
  const metrics = new Registry();
  const pipeline = new PublishPipeline({
    beat: TEST_BEAT,
    outputs: new Map(Object.entries(outputs)),
    log: nopLogger,
    metrics,
    ...over,
  });
  pipeline.start();
  return { pipeline, metrics };
}

/** Waits until `cond` holds, polling; throws after `ms`. */
export async function waitUntil(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
