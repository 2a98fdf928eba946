import type { BeatEvent } from '../../common/event.js';
import { getField, putField } from '../../common/event.js';
import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { checkKeys } from '../config-util.js';
import { MANDATORY_FIELDS } from './drop-fields.js';

/**
 * `include_fields: {fields: [a, b.c]}`: keeps only the listed fields plus `@timestamp` and `type`. A dotted name
 * keeps just that leaf with its parents (`proc.cpu` keeps `{proc: {cpu: …}}`, not the rest of `proc`). An empty
 * list keeps only the mandatory fields.
 */
export function createIncludeFields(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'include_fields', ['fields', 'when']);
  if (!cfg.has('fields')) throw cfg.error('fields', 'is required (the list of fields to keep; [] keeps only @timestamp and type)');
  const fields = cfg.strList('fields', []);
  for (const m of MANDATORY_FIELDS) if (!fields.includes(m)) fields.push(m);
  return new IncludeFields(fields);
}

class IncludeFields implements Processor {
  readonly name = 'include_fields';
  readonly #fields: readonly string[];
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }
  // Builds a fresh document instead of deleting from the old one: one object per event, and deleting keys would
  // push V8 objects into slow dictionary mode. Kept values are moved by reference, not copied.
  run(event: BeatEvent): BeatEvent {
    const src = event.fields;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.#fields.length; i++) {
      const f = this.#fields[i]!;
      const v = getField(src, f);
      if (v !== undefined) putField(out, f, v);
    }
    event.fields = out;
    return event;
  }
}
