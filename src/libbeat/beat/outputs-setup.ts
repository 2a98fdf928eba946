import { ConfigError } from '../common/errors.js';
import type { ConfigNode } from '../config/config-node.js';
import type { OutputContext, OutputGroup } from '../outputs/output.js';
import type { OutputRegistry } from '../outputs/registry.js';

/**
 * Builds every output configured under `output:` (several at once, as in Beats 1.0: each gets every event).
 * An unknown name or no output at all is a config error.
 */
export async function buildOutputs(
  root: ConfigNode,
  registry: OutputRegistry,
  ctx: OutputContext,
): Promise<Map<string, OutputGroup>> {
  const section = root.child('output');
  const out = new Map<string, OutputGroup>();
  for (const name of section.keys()) {
    const factory = registry.get(name);
    if (!factory) {
      throw new ConfigError(root.file, `output.${name}`, `unknown output (available: ${registry.names().join(', ')})`);
    }
    const node = section.child(name);
    if (node.get('enabled') === false) continue;
    out.set(name, await factory(node, { ...ctx, log: ctx.log.child(name) }));
  }
  if (out.size === 0) {
    throw new ConfigError(root.file, 'output', `no output is configured (add e.g. output.console or output.elasticsearch)`);
  }
  return out;
}
