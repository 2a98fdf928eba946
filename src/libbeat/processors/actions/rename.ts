import type { BeatEvent } from '../../common/event.js';
import { deleteField, getField, putField } from '../../common/event.js';
import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { addErrorMessage, checkKeys } from '../config-util.js';

/**
 * `rename: {fields: [{from: a, to: b.c}], ignore_missing: false, fail_on_error: true}`: moves each `from` to its
 * `to`, in order. A missing `from` is an error unless `ignore_missing`; an existing `to` is always an error (drop
 * it first). On an error with `fail_on_error` (the default) the renames already done are undone, the event gets an
 * `error.message` and goes on; without it the failing pair is skipped and the next one applied.
 */
export function createRename(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'rename', ['fields', 'ignore_missing', 'fail_on_error', 'when']);
  const pairs = cfg.children('fields');
  if (pairs.length === 0) throw cfg.error('fields', 'is required (a list of {from, to} pairs)');
  const from: string[] = [];
  const to: string[] = [];
  for (const p of pairs) {
    checkKeys(p, 'rename.fields', ['from', 'to']);
    const f = p.str('from');
    const t = p.str('to');
    if (f === undefined || f === '') throw p.error('from', 'is required (the field to rename)');
    if (t === undefined || t === '') throw p.error('to', 'is required (the new name)');
    from.push(f);
    to.push(t);
  }
  return new Rename(from, to, cfg.bool('ignore_missing', false), cfg.bool('fail_on_error', true));
}

class Rename implements Processor {
  readonly name = 'rename';
  readonly #from: readonly string[];
  readonly #to: readonly string[];
  readonly #ignoreMissing: boolean;
  readonly #failOnError: boolean;
  /** Which pairs this run applied, for #undo; reused across events (run is synchronous, so never shared). */
  readonly #applied: Uint8Array;
  constructor(from: readonly string[], to: readonly string[], ignoreMissing: boolean, failOnError: boolean) {
    this.#from = from;
    this.#to = to;
    this.#ignoreMissing = ignoreMissing;
    this.#failOnError = failOnError;
    this.#applied = new Uint8Array(from.length);
  }

  run(event: BeatEvent): BeatEvent {
    const fields = event.fields;
    if (this.#failOnError) this.#applied.fill(0);
    for (let i = 0; i < this.#from.length; i++) {
      const from = this.#from[i]!;
      const to = this.#to[i]!;
      const v = getField(fields, from);
      let err: string | undefined;
      if (v === undefined) {
        if (this.#ignoreMissing) continue;
        err = `field ${from} is missing`;
      } else if (getField(fields, to) !== undefined) {
        err = `target field ${to} already exists, drop or rename it first`;
      }
      if (err === undefined) {
        deleteField(fields, from);
        putField(fields, to, v);
        this.#applied[i] = 1;
      } else if (this.#failOnError) {
        this.#undo(fields, i);
        addErrorMessage(fields, `rename: ${err}`);
        return event;
      }
    }
    return event;
  }

  // Every applied step was a move, so moving back in reverse order restores the values (but not the emptied parent
  // objects of `to` paths that putField created). Undoing instead of cloning the event up front keeps the common,
  // successful case free of copies.
  #undo(fields: Record<string, unknown>, upTo: number): void {
    for (let j = upTo - 1; j >= 0; j--) {
      if (this.#applied[j] === 0) continue;
      const v = getField(fields, this.#to[j]!);
      deleteField(fields, this.#to[j]!);
      putField(fields, this.#from[j]!, v);
    }
  }
}
