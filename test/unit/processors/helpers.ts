import { parse } from 'yaml';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';
import { createProcessors, processorsConfig, runProcessors, type Processor } from '../../../src/libbeat/processors/processor.js';

/** Compiles the `processors:` of a YAML snippet, as the pipeline does. */
export function chain(yaml: string): Processor[] {
  return createProcessors(processorsConfig(new ConfigNode(parse(yaml), 'test.yml')));
}

export function event(fields: Record<string, unknown>): BeatEvent {
  return { timestamp: new Date(0), fields: structuredClone(fields) };
}

/** Runs one event (fields given) through the chain; returns the resulting fields, or null when dropped. */
export function apply(yaml: string, fields: Record<string, unknown>): Record<string, unknown> | null {
  const out = runProcessors(chain(yaml), event(fields));
  return out === null ? null : out.fields;
}

/** The message of the ConfigError the YAML raises. */
export function configError(yaml: string): string {
  try {
    chain(yaml);
  } catch (err) {
    if (err instanceof Error && err.name === 'ConfigError') return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
