import type { BeatEvent } from '../../common/event.js';
import { deleteField } from '../../common/event.js';
import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { checkKeys } from '../config-util.js';

/** Fields no processor may remove: every event must keep them (Beats: "cannot be dropped"). */
export const MANDATORY_FIELDS: readonly string[] = ['@timestamp', 'type'];

/** `drop_fields: {fields: [a, b.c]}`: deletes the listed fields (a dotted name deletes inside nested objects). */
export function createDropFields(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'drop_fields', ['fields', 'when']);
  if (!cfg.has('fields')) throw cfg.error('fields', 'is required (the list of fields to drop)');
  const fields = cfg.strList('fields', []).filter((f) => !MANDATORY_FIELDS.includes(f));
  return new DropFields(fields);
}

class DropFields implements Processor {
  readonly name = 'drop_fields';
  readonly #fields: readonly string[];
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }
  run(event: BeatEvent): BeatEvent {
    for (let i = 0; i < this.#fields.length; i++) deleteField(event.fields, this.#fields[i]!);
    return event;
  }
}
