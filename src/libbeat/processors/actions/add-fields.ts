import type { BeatEvent } from '../../common/event.js';
import { putField } from '../../common/event.js';
import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { checkKeys, flatten } from '../config-util.js';

/**
 * `add_fields: {target: project, fields: {name: x, id: 1}}`: merges the fields into the event under `target`
 * (default `fields`; `''` = the event root). Existing sibling keys are kept; the same keys are overwritten.
 */
export function createAddFields(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'add_fields', ['target', 'fields', 'when']);
  if (!cfg.has('fields')) throw cfg.error('fields', 'is required (a section of field: value pairs)');
  const target = cfg.str('target', 'fields');
  const leaves = flatten(cfg.child('fields').raw);
  if (leaves.length === 0) throw cfg.error('fields', 'must set at least one field');
  return new AddFields(
    leaves.map((l) => (target === '' ? l.path : `${target}.${l.path}`)),
    leaves.map((l) => l.value),
  );
}

class AddFields implements Processor {
  readonly name = 'add_fields';
  readonly #paths: readonly string[];
  readonly #values: readonly unknown[];
  readonly #shared: readonly boolean[];
  constructor(paths: readonly string[], values: readonly unknown[]) {
    this.#paths = paths;
    this.#values = values;
    this.#shared = values.map((v) => v !== null && typeof v === 'object');
  }
  // Scalars are written as they are; lists (and empty sections) are cloned per event so that a later processor
  // or output changing one event cannot change the configured value for every other event.
  run(event: BeatEvent): BeatEvent {
    for (let i = 0; i < this.#paths.length; i++) {
      const v = this.#values[i];
      putField(event.fields, this.#paths[i]!, this.#shared[i] ? structuredClone(v) : v);
    }
    return event;
  }
}
