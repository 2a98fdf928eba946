import type { ConfigNode } from '../config/config-node.js';
import { ConfigError } from '../common/errors.js';
import { putField, getField } from '../common/event.js';

/** A ConfigError about the node itself (ConfigNode.error names a key below the node). */
export function nodeError(node: ConfigNode, message: string): ConfigError {
  return new ConfigError(node.file, node.path, message);
}

/** Rejects options a processor does not know (a typo like `field:` for `fields:` would otherwise be ignored). */
export function checkKeys(node: ConfigNode, processor: string, allowed: readonly string[]): void {
  for (const k of node.keys()) {
    if (!allowed.includes(k)) throw node.error(k, `unknown option of ${processor}; expected one of ${allowed.join(', ')}`);
  }
}

export interface FlatEntry {
  path: string;
  value: unknown;
}

/**
 * Flattens nested YAML sections into dotted names: `{http: {code: 200}}` gives `http.code: 200`, as Beats' config
 * library does. Lists, scalars and empty sections are leaves.
 */
export function flatten(raw: Record<string, unknown>, prefix = '', out: FlatEntry[] = []): FlatEntry[] {
  for (const [k, v] of Object.entries(raw)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      flatten(v as Record<string, unknown>, path, out);
    } else {
      out.push({ path, value: v });
    }
  }
  return out;
}

/**
 * Records a processor failure on the event as Beats does (`error.message`), appending when an earlier processor
 * already left one. Called only on the (rare) error path.
 */
export function addErrorMessage(fields: Record<string, unknown>, message: string): void {
  const prev = getField(fields, 'error.message');
  putField(fields, 'error.message', typeof prev === 'string' && prev !== '' ? `${prev}; ${message}` : message);
}
