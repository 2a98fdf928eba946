/**
 * Incremental RESP2/RESP3 parser: bytes in, complete top-level values out. Memory is bounded whatever the input:
 * a line longer than MAX_LINE is a protocol error, a bulk string keeps only its first MAX_BULK_KEEP bytes (the rest
 * is skipped as it streams by, so `$999999999` allocates nothing), an aggregate keeps its first MAX_ITEMS children
 * and a message keeps at most MAX_NODES values in total. Nesting deeper than MAX_DEPTH is a protocol error.
 * Every loop iteration consumes input, so no input can make it spin.
 */

import { bytesToText } from './text.js';

export type RespType =
  | 'status'
  | 'error'
  | 'integer'
  | 'bulk'
  | 'nil'
  | 'array'
  | 'map'
  | 'set'
  | 'push'
  | 'double'
  | 'boolean'
  | 'bignum'
  | 'verbatim';

export interface RespValue {
  type: RespType;
  /** Status/error/integer/double/boolean/bignum text. */
  text?: string;
  /** Bulk, blob error and verbatim strings are in `text` too (their first MAX_BULK_KEEP bytes); true when cut. */
  cut?: boolean;
  /** Bulk/blob sizes in bytes; aggregate element count (pairs for maps). */
  size?: number;
  /** The first children of an aggregate (maps: keys and values alternating). */
  items?: RespValue[];
}

/** One complete top-level value with its wire size and the capture time of its first byte. */
export interface RespMessage {
  value: RespValue;
  bytes: number;
  ts: number;
}

export const MAX_LINE = 64 * 1024;
export const MAX_BULK_KEEP = 4096;
export const MAX_ITEMS = 64;
export const MAX_NODES = 1024;
export const MAX_DEPTH = 64;

interface Frame {
  value: RespValue;
  remaining: number;
  /** Attribute maps (`|`) are parsed and then discarded. */
  attribute: boolean;
}

const CR = 13;
/** Bytes that start a RESP value: + - : $ * _ , # ( ! = % ~ > | */
const RESP_MARKERS = new Set([0x2b, 0x2d, 0x3a, 0x24, 0x2a, 0x5f, 0x2c, 0x23, 0x28, 0x21, 0x3d, 0x25, 0x7e, 0x3e, 0x7c]);
const LF = 10;

export class RespParser {
  /** True for the client side: lines that are not RESP are inline commands. */
  readonly #inline: boolean;
  #lineParts: Buffer[] = [];
  #lineLen = 0;
  #bulkLeft = -1; // >= 0 while reading a bulk payload (+2 for its CRLF)
  #bulk: RespValue | undefined;
  #bulkKeep: Buffer[] = [];
  #bulkKept = 0;
  #bulkKeepMax = 0;
  #stack: Frame[] = [];
  #nodes = 0;
  #msgStarted = false;
  #msgTs = 0;
  #msgBytes = 0;
  #error: string | undefined;
  #resync = false;

  constructor(opts: { inline: boolean }) {
    this.#inline = opts.inline;
  }

  /** Set once the stream could not be parsed; the parser then ignores input until `reset`. */
  get error(): string | undefined {
    return this.#error;
  }

  /** True while a message is partially received. */
  get midMessage(): boolean {
    return this.#msgStarted || this.#lineLen > 0;
  }

  /**
   * Forgets the stream position. With `resync` (after lost bytes or garbage) chunks are skipped until one starts
   * like a message (a RESP type marker; for commands a `*`: inline commands resume after the next multibulk).
   */
  reset(resync = false): void {
    this.#resync = resync;
    this.#lineParts = [];
    this.#lineLen = 0;
    this.#bulkLeft = -1;
    this.#bulk = undefined;
    this.#bulkKeep = [];
    this.#bulkKept = 0;
    this.#stack = [];
    this.#nodes = 0;
    this.#msgStarted = false;
    this.#msgBytes = 0;
    this.#error = undefined;
  }

  /** Feeds one chunk; returns the messages it completed. After an error returns nothing until `reset`. */
  feed(chunk: Buffer, ts: number): RespMessage[] {
    const out: RespMessage[] = [];
    if (this.#error !== undefined || chunk.length === 0) return out;
    if (this.#resync) {
      const c = chunk[0]!;
      // Commands: only a multibulk `*` (text after a gap would pass for an inline command).
      const ok = this.#inline ? c === 0x2a : RESP_MARKERS.has(c);
      if (!ok) return out;
      this.#resync = false;
    }
    const len = chunk.length;
    let i = 0;
    let counted = 0; // position up to which bytes were added to #msgBytes
    while (i < len) {
      if (!this.#msgStarted) {
        this.#msgStarted = true;
        this.#msgTs = ts;
        this.#msgBytes = 0;
        counted = i;
      }
      if (this.#bulkLeft >= 0) {
        const take = Math.min(this.#bulkLeft, len - i);
        const dataLeft = this.#bulkLeft - 2; // payload bytes still to come (CRLF excluded)
        if (dataLeft > 0 && this.#bulkKept < this.#bulkKeepMax) {
          const keep = Math.min(take, dataLeft, this.#bulkKeepMax - this.#bulkKept);
          if (keep > 0) {
            this.#bulkKeep.push(chunk.subarray(i, i + keep));
            this.#bulkKept += keep;
          }
        }
        this.#bulkLeft -= take;
        i += take;
        if (this.#bulkLeft === 0) {
          this.#bulkLeft = -1;
          const v = this.#bulk!;
          if (this.#bulkKeepMax > 0) {
            const kept = this.#bulkKeep.length === 1 ? this.#bulkKeep[0]! : Buffer.concat(this.#bulkKeep);
            v.text = bytesToText(kept, v.type === 'verbatim' && kept.length >= 4 ? 4 : 0);
            v.cut = (v.size ?? 0) > kept.length;
          }
          this.#bulk = undefined;
          this.#bulkKeep = [];
          this.#bulkKept = 0;
          if (this.#complete(v)) {
            this.#msgBytes += i - counted;
            counted = i;
            this.#emit(out);
          }
        }
        continue;
      }
      const nl = chunk.indexOf(LF, i);
      if (nl < 0) {
        this.#lineLen += len - i;
        if (this.#lineLen > MAX_LINE) return this.#fail(out, 'line too long');
        this.#lineParts.push(chunk.subarray(i));
        i = len;
        break;
      }
      let line: Buffer;
      let start = 0;
      let stop: number;
      if (this.#lineParts.length === 0) {
        line = chunk;
        start = i;
        stop = nl;
      } else {
        this.#lineParts.push(chunk.subarray(i, nl));
        line = Buffer.concat(this.#lineParts);
        this.#lineParts = [];
        stop = line.length;
      }
      this.#lineLen = 0;
      if (stop - start > MAX_LINE) return this.#fail(out, 'line too long');
      i = nl + 1;
      const end = stop > start && line[stop - 1] === CR ? stop - 1 : stop;
      const r = this.#line(line, start, end);
      if (r === 'error') return this.#fail(out, this.#error ?? 'protocol error');
      if (r === 'skip') {
        // Empty inline command: not a message.
        this.#msgStarted = false;
        counted = i;
        continue;
      }
      if (r === 'done') {
        this.#msgBytes += i - counted;
        counted = i;
        this.#emit(out);
      }
    }
    if (this.#msgStarted) this.#msgBytes += len - counted;
    return out;
  }

  #fail(out: RespMessage[], why: string): RespMessage[] {
    this.#error = why;
    return out;
  }

  #emit(out: RespMessage[]): void {
    const top = this.#topValue;
    this.#topValue = undefined;
    this.#msgStarted = false;
    this.#nodes = 0;
    if (top === undefined) return; // an attribute map: its value follows
    out.push({ value: top, bytes: this.#msgBytes, ts: this.#msgTs });
    this.#msgBytes = 0;
  }

  #topValue: RespValue | undefined;

  /** Handles one line (without CRLF). 'done' = a top-level value completed, 'more' = need more, 'skip' = empty inline. */
  #line(line: Buffer, s: number, end: number): 'done' | 'more' | 'skip' | 'error' {
    if (end === s) {
      if (this.#stack.length === 0 && this.#inline) return 'skip';
      this.#error = 'empty line';
      return 'error';
    }
    const marker = line[s]!;
    switch (marker) {
      case 0x2b: // + status
        return this.#scalar({ type: 'status', text: bytesToText(line, s + 1, end) });
      case 0x2d: // - error
        return this.#scalar({ type: 'error', text: bytesToText(line, s + 1, end) });
      case 0x3a: // : integer
      case 0x28: {
        // ( big number
        const text = line.toString('latin1', s + 1, end);
        if (!/^[-+]?\d+$/.test(text)) return this.#bad('bad integer');
        return this.#scalar({ type: marker === 0x3a ? 'integer' : 'bignum', text });
      }
      case 0x2c: // , double
        return this.#scalar({ type: 'double', text: bytesToText(line, s + 1, end) });
      case 0x23: {
        // # boolean
        const t = line.toString('latin1', s + 1, end);
        if (t !== 't' && t !== 'f') return this.#bad('bad boolean');
        return this.#scalar({ type: 'boolean', text: t === 't' ? 'true' : 'false' });
      }
      case 0x5f: // _ null
        return this.#scalar({ type: 'nil' });
      case 0x24: // $ bulk
      case 0x21: // ! blob error
      case 0x3d: {
        // = verbatim
        const n = parseLen(line, s, end);
        if (n === undefined || n < -1) return this.#bad('bad bulk length');
        if (n === -1) return this.#scalar({ type: 'nil' });
        const type: RespType = marker === 0x24 ? 'bulk' : marker === 0x21 ? 'error' : 'verbatim';
        this.#bulk = { type, size: n };
        this.#bulkLeft = n + 2;
        this.#bulkKeepMax = this.#willKeep() ? MAX_BULK_KEEP : 0;
        return 'more';
      }
      case 0x2a: // * array
      case 0x25: // % map
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x7c: {
        // | attribute
        const n = parseLen(line, s, end);
        if (n === undefined || n < -1) return this.#bad('bad aggregate length');
        if (n === -1) return this.#scalar({ type: 'nil' });
        const type: RespType =
          marker === 0x2a ? 'array' : marker === 0x25 || marker === 0x7c ? 'map' : marker === 0x7e ? 'set' : 'push';
        const v: RespValue = { type, size: n, items: [] };
        const count = marker === 0x25 || marker === 0x7c ? n * 2 : n;
        if (count === 0) return this.#complete(v) ? 'done' : 'more';
        if (this.#stack.length >= MAX_DEPTH) return this.#bad('nesting too deep');
        this.#stack.push({ value: v, remaining: count, attribute: marker === 0x7c });
        return 'more';
      }
      default:
        if (this.#stack.length === 0 && this.#inline) return this.#inlineCommand(line, s, end);
        return this.#bad('unknown type marker');
    }
  }

  #bad(why: string): 'error' {
    this.#error = why;
    return 'error';
  }

  #scalar(v: RespValue): 'done' | 'more' {
    return this.#complete(v) ? 'done' : 'more';
  }

  /** An inline command: words separated by blanks (no quoting support beyond plain words). */
  #inlineCommand(line: Buffer, from: number, end: number): 'done' | 'skip' {
    const items: RespValue[] = [];
    let n = 0;
    let i = from;
    while (i < end) {
      while (i < end && (line[i] === 0x20 || line[i] === 0x09)) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && line[i] !== 0x20 && line[i] !== 0x09) i++;
      n++;
      if (items.length < MAX_ITEMS) items.push({ type: 'bulk', size: i - s, text: bytesToText(line, s, Math.min(i, s + MAX_BULK_KEEP)), cut: i - s > MAX_BULK_KEEP });
    }
    if (n === 0) return 'skip';
    this.#topValue = { type: 'array', size: n, items };
    return 'done';
  }

  /** Whether a value completing now would be stored (top level, or room left in its parent and the budget). */
  #willKeep(): boolean {
    const top = this.#stack[this.#stack.length - 1];
    return top === undefined || (top.value.items!.length < MAX_ITEMS && this.#nodes < MAX_NODES && !top.attribute);
  }

  /** Adds a completed value to its parent; returns true when a top-level value (or attribute) completed. */
  #complete(v: RespValue): boolean {
    let value = v;
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (top === undefined) {
        this.#topValue = value;
        return true;
      }
      if (top.value.items!.length < MAX_ITEMS && this.#nodes < MAX_NODES) {
        top.value.items!.push(value);
        this.#nodes++;
      }
      top.remaining--;
      if (top.remaining > 0) return false;
      this.#stack.pop();
      if (top.attribute) {
        // Attributes decorate the next value; drop them (nested ones from their parent too).
        if (this.#stack.length === 0) {
          this.#topValue = undefined;
          return true;
        }
        return false;
      }
      value = top.value;
    }
  }
}

function parseLen(line: Buffer, s: number, end: number): number | undefined {
  if (end - s < 2 || end - s > 12) return undefined;
  let i = s + 1;
  let neg = false;
  if (line[i] === 0x2d) {
    neg = true;
    i++;
    if (end === i) return undefined;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = line[i]! - 0x30;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}
