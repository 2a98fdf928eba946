import type { BeatEvent } from '../../common/event.js';
import { getField, putField } from '../../common/event.js';
import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { addErrorMessage, checkKeys } from '../config-util.js';

/**
 * `add_tags: {tags: [a, b], target: tags}`: appends the tags to the list at `target` (default `tags`), creating it
 * when missing. Duplicates are kept, as in Beats. A non-list value at `target` is left alone and the event gets an
 * `error.message`.
 */
export function createAddTags(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'add_tags', ['tags', 'target', 'when']);
  const tags = cfg.strList('tags', []);
  if (tags.length === 0) throw cfg.error('tags', 'is required (a list of at least one tag)');
  const target = cfg.str('target', 'tags');
  if (target === '') throw cfg.error('target', 'must not be empty');
  return new AddTags(tags, target);
}

class AddTags implements Processor {
  readonly name = 'add_tags';
  readonly #tags: readonly string[];
  readonly #target: string;
  constructor(tags: readonly string[], target: string) {
    this.#tags = tags;
    this.#target = target;
  }
  run(event: BeatEvent): BeatEvent {
    const cur = getField(event.fields, this.#target);
    if (cur === undefined || cur === null) {
      putField(event.fields, this.#target, this.#tags.slice());
    } else if (Array.isArray(cur)) {
      for (let i = 0; i < this.#tags.length; i++) cur.push(this.#tags[i]);
    } else {
      addErrorMessage(event.fields, `add_tags: cannot add tags to ${this.#target}, it is not a list`);
    }
    return event;
  }
}
