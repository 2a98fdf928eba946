import type { BeatEvent } from '../../common/event.js';

/**
 * Serializes an event as one JSON document with `@timestamp` first (ISO 8601 UTC, millisecond precision, as Beats
 * writes it). Built by string concatenation instead of `JSON.stringify({'@timestamp': …, ...fields})`: that
 * spread copies every field of every event; this does not (measured in bench/libbeat/pipeline.bench.ts).
 */
export function encodeEvent(event: BeatEvent, extra?: string): string {
  const body = JSON.stringify(event.fields);
  const ts = `{"@timestamp":"${event.timestamp.toISOString()}"`;
  const tail = extra ? `,${extra}` : '';
  if (body.length <= 2) return `${ts}${tail}}`;
  return `${ts},${body.slice(1, -1)}${tail}}`;
}

/** Pretty-printed variant for `output.console.pretty`. */
export function encodeEventPretty(event: BeatEvent): string {
  return JSON.stringify({ '@timestamp': event.timestamp.toISOString(), ...event.fields }, null, 2);
}

const TS_PREFIX = Buffer.from('{"@timestamp":"', 'latin1');

/**
 * Most bytes `writeEncodedEvent` adds around the body and extra: `{"@timestamp":"`, the ISO time (27 bytes for the
 * extended years toISOString writes beyond 9999), the closing quote, two commas and `}`.
 */
export const ENCODED_EVENT_OVERHEAD = 15 + 27 + 4;

/**
 * Writes exactly the bytes of `encodeEvent(event, extra)` into `buf` at `off`, from `body` =
 * `JSON.stringify(event.fields)` and `iso` = the timestamp's ISO text, and returns the offset after them. The bulk
 * and lumberjack encoders write every event of a batch into one buffer this way instead of building a string per
 * event and copying it (measured in bench/elasticsearch and bench/logstash). The caller makes room:
 * ENCODED_EVENT_OVERHEAD + 3 bytes per UTF-16 unit of body and extra.
 */
export function writeEncodedEvent(buf: Buffer, off: number, iso: string, body: string, extra = ''): number {
  off += TS_PREFIX.copy(buf, off);
  off += buf.write(iso, off, 'latin1');
  buf[off++] = 0x22; // "
  if (body.length > 2) {
    const n = buf.write(body, off, 'utf8');
    buf[off] = 0x2c; // the body's opening brace becomes the comma after @timestamp
    off += n - 1; // and its closing brace is dropped
  }
  if (extra !== '') {
    buf[off++] = 0x2c;
    off += buf.write(extra, off, 'utf8');
  }
  buf[off++] = 0x7d; // }
  return off;
}

/** ISO text of timestamps, remembering the last one: the events of a batch mostly share their millisecond. */
export class IsoTimestamps {
  #ms = NaN;
  #iso = '';

  of(d: Date): string {
    const ms = d.getTime();
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#iso = d.toISOString();
    }
    return this.#iso;
  }
}
