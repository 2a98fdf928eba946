import type { ConfigNode } from '../config/config-node.js';
import type { EventProcessor } from '../publisher/pipeline/pipeline.js';

/** The global `processors:` chain; undefined when none is configured. */
export function buildProcessor(cfg: ConfigNode): EventProcessor | undefined {
  const list = cfg.children('processors');
  if (list.length === 0) return undefined;
  throw cfg.error('processors', 'processors are not supported yet');
}
