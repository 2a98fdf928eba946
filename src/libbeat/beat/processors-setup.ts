import type { ConfigNode } from '../config/config-node.js';
import type { EventProcessor } from '../publisher/pipeline/pipeline.js';
import { createProcessors, processorsConfig, runProcessors } from '../processors/processor.js';

/** The global `processors:` (or 1.x/5.0-alpha `filters:`) chain; undefined when none is configured. */
export function buildProcessor(cfg: ConfigNode): EventProcessor | undefined {
  const chain = createProcessors(processorsConfig(cfg));
  if (chain.length === 0) return undefined;
  return (event) => runProcessors(chain, event);
}
