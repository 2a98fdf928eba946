import type { BeatEvent } from '../../common/event.js';
import { eventType } from '../../common/event.js';
import { encodeEvent } from '../codec/json.js';

const DAY_MS = 86_400_000;

/**
 * Daily index names `<base>-YYYY.MM.DD` from an event's `@timestamp` in UTC. The last day's bounds and name are
 * kept, so events of the same day (nearly all) cost two comparisons.
 */
export class DailyIndex {
  readonly base: string;
  #from = 0;
  #to = -1;
  #name = '';

  constructor(base: string) {
    this.base = base;
  }

  nameFor(ms: number): string {
    if (ms >= this.#from && ms < this.#to) return this.#name;
    const from = Math.floor(ms / DAY_MS) * DAY_MS;
    const d = new Date(from);
    const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
    const dd = String(d.getUTCDate()).padStart(2, '0');
    this.#from = from;
    this.#to = from + DAY_MS;
    this.#name = `${this.base}-${d.getUTCFullYear()}.${mm}.${dd}`;
    return this.#name;
  }
}

export interface BulkEncoderOptions {
  index: string;
  /** See typeMode(): event type (1.x-5.x), `doc` (6.x), none (7+). */
  types: 'event' | 'doc' | 'none';
  pipeline?: string;
}

/**
 * Writes the NDJSON body of a `_bulk` request: an `index` action line and the document per event. Action lines
 * are cached per (index, type, pipeline): a batch usually needs one or two distinct lines.
 */
export class BulkEncoder {
  readonly #daily: DailyIndex;
  readonly #types: BulkEncoderOptions['types'];
  readonly #pipeline: string | undefined;
  readonly #actions = new Map<string, string>();

  constructor(opts: BulkEncoderOptions) {
    this.#daily = new DailyIndex(opts.index);
    this.#types = opts.types;
    this.#pipeline = opts.pipeline;
  }

  indexFor(event: BeatEvent): string {
    return event.meta?.index ?? this.#daily.nameFor(event.timestamp.getTime());
  }

  #action(event: BeatEvent): string {
    const index = this.indexFor(event);
    const type = this.#types === 'none' ? '' : this.#types === 'doc' ? 'doc' : eventType(event);
    const pipeline = event.meta?.pipeline ?? this.#pipeline ?? '';
    const key = `${index}\u0000${type}\u0000${pipeline}`;
    let line = this.#actions.get(key);
    if (line === undefined) {
      const meta: Record<string, string> = { _index: index };
      if (type !== '') meta['_type'] = type;
      if (pipeline !== '') meta['pipeline'] = pipeline;
      line = `${JSON.stringify({ index: meta })}\n`;
      if (this.#actions.size >= 256) this.#actions.clear();
      this.#actions.set(key, line);
    }
    return line;
  }

  /**
   * The body for `events`. An event that cannot be serialized (a cycle, a BigInt) is left out and its position
   * reported in `unencodable`, so the caller can drop it instead of failing the batch forever.
   */
  encode(events: readonly BeatEvent[]): { body: string; sent: BeatEvent[]; unencodable: BeatEvent[] } {
    let body = '';
    const sent: BeatEvent[] = [];
    const unencodable: BeatEvent[] = [];
    for (const e of events) {
      let doc: string;
      try {
        doc = encodeEvent(e);
      } catch {
        unencodable.push(e);
        continue;
      }
      body += this.#action(e) + doc + '\n';
      sent.push(e);
    }
    return { body, sent, unencodable };
  }
}
