/**
 * A small, defensive BSON reader (bsonspec.org 1.1) for the MongoDB parser: documents become plain JSON-compatible
 * values (special types in MongoDB Extended JSON form: `{"$oid": ...}`, `{"$date": ...}`, ...), ready for
 * `JSON.stringify`. Written here instead of using the `bson` package so the parser has no runtime dependency, never
 * throws past its caller's try/catch on hostile bytes, and can stop early (document count and nesting limits).
 * Every length is checked against the enclosing document; a malformed document throws BsonError.
 */

export class BsonError extends Error {}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonDoc = { [k: string]: JsonValue };

const MAX_DEPTH = 100;

/** Size of the document at `off` after checking it fits in `end`. */
export function docSize(b: Buffer, off: number, end = b.length): number {
  if (off + 5 > end) throw new BsonError('truncated document');
  const size = b.readInt32LE(off);
  if (size < 5 || off + size > end || b[off + size - 1] !== 0) throw new BsonError('bad document size');
  return size;
}

/** Decodes the document at `off` (its size is checked). */
export function readDoc(b: Buffer, off: number, end = b.length): JsonDoc {
  return readDocAt(b, off, docSize(b, off, end), 0, false) as JsonDoc;
}

/** Name of the first element of the document at `off` (the command name of a command document). */
export function firstKey(b: Buffer, off: number, end = b.length): string | undefined {
  const size = docSize(b, off, end);
  if (size <= 5) return undefined;
  const nameStart = off + 5;
  const e = b.indexOf(0, nameStart);
  if (e < 0 || e >= off + size) throw new BsonError('unterminated key');
  return b.toString('utf8', nameStart, e);
}

function cstring(b: Buffer, p: number, end: number): [string, number] {
  const e = b.indexOf(0, p);
  if (e < 0 || e >= end) throw new BsonError('unterminated cstring');
  return [b.toString('utf8', p, e), e + 1];
}

function readDocAt(b: Buffer, off: number, size: number, depth: number, isArray: boolean): JsonDoc | JsonValue[] {
  if (depth > MAX_DEPTH) throw new BsonError('documents nested too deeply');
  const end = off + size - 1; // position of the trailing NUL
  let p = off + 4;
  const obj: JsonDoc = {};
  const arr: JsonValue[] = [];
  while (p < end) {
    const type = b[p] as number;
    let name: string;
    [name, p] = cstring(b, p + 1, end);
    let v: JsonValue;
    [v, p] = readValue(b, type, p, end, depth);
    if (isArray) arr.push(v);
    else obj[name] = v;
  }
  if (p !== end) throw new BsonError('element overruns its document');
  return isArray ? arr : obj;
}

function need(p: number, n: number, end: number): void {
  if (p + n > end) throw new BsonError('truncated element');
}

function hex(b: Buffer, p: number, n: number): string {
  return b.toString('hex', p, p + n);
}

function readString(b: Buffer, p: number, end: number): [string, number] {
  need(p, 4, end);
  const n = b.readInt32LE(p);
  if (n < 1 || p + 4 + n > end || b[p + 4 + n - 1] !== 0) throw new BsonError('bad string length');
  return [b.toString('utf8', p + 4, p + 4 + n - 1), p + 4 + n];
}

function readValue(b: Buffer, type: number, p: number, end: number, depth: number): [JsonValue, number] {
  switch (type) {
    case 0x01:
      need(p, 8, end);
      return [finite(b.readDoubleLE(p)), p + 8];
    case 0x02:
    case 0x0e:
      return readString(b, p, end);
    case 0x03:
    case 0x04: {
      const size = docSize(b, p, end);
      return [readDocAt(b, p, size, depth + 1, type === 0x04), p + size];
    }
    case 0x05: {
      need(p, 5, end);
      const n = b.readInt32LE(p);
      if (n < 0 || p + 5 + n > end) throw new BsonError('bad binary length');
      const sub = b[p + 4] as number;
      const data = b.subarray(p + 5, p + 5 + Math.min(n, 3072)).toString('base64');
      return [{ $binary: { base64: data, subType: sub.toString(16).padStart(2, '0') } }, p + 5 + n];
    }
    case 0x06:
    case 0x0a:
      return [null, p];
    case 0x07:
      need(p, 12, end);
      return [{ $oid: hex(b, p, 12) }, p + 12];
    case 0x08:
      need(p, 1, end);
      return [b[p] !== 0, p + 1];
    case 0x09: {
      need(p, 8, end);
      const ms = Number(b.readBigInt64LE(p));
      const d = new Date(ms);
      return [{ $date: Number.isNaN(d.getTime()) ? { $numberLong: String(ms) } : d.toISOString() }, p + 8];
    }
    case 0x0b: {
      let pattern: string;
      let options: string;
      [pattern, p] = cstring(b, p, end);
      [options, p] = cstring(b, p, end);
      return [{ $regularExpression: { pattern, options } }, p];
    }
    case 0x0c: {
      let ns: string;
      [ns, p] = readString(b, p, end);
      need(p, 12, end);
      return [{ $dbPointer: { $ref: ns, $id: { $oid: hex(b, p, 12) } } }, p + 12];
    }
    case 0x0d: {
      const [code, q] = readString(b, p, end);
      return [{ $code: code }, q];
    }
    case 0x0f: {
      need(p, 4, end);
      const total = b.readInt32LE(p);
      if (total < 14 || p + total > end) throw new BsonError('bad code-with-scope length');
      const [code, q] = readString(b, p + 4, p + total);
      const size = docSize(b, q, p + total);
      return [{ $code: code, $scope: readDocAt(b, q, size, depth + 1, false) }, p + total];
    }
    case 0x10:
      need(p, 4, end);
      return [b.readInt32LE(p), p + 4];
    case 0x11:
      need(p, 8, end);
      return [{ $timestamp: { t: b.readUInt32LE(p + 4), i: b.readUInt32LE(p) } }, p + 8];
    case 0x12: {
      need(p, 8, end);
      const v = b.readBigInt64LE(p);
      const n = Number(v);
      return [Number.isSafeInteger(n) ? n : { $numberLong: v.toString() }, p + 8];
    }
    case 0x13:
      need(p, 16, end);
      return [{ $numberDecimal: decimal128(b, p) }, p + 16];
    case 0xff:
      return [{ $minKey: 1 }, p];
    case 0x7f:
      return [{ $maxKey: 1 }, p];
    default:
      throw new BsonError(`unknown element type 0x${type.toString(16)}`);
  }
}

function finite(n: number): JsonValue {
  if (Number.isFinite(n)) return n;
  return { $numberDouble: Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity' };
}

/** IEEE 754-2008 decimal128 (BID encoding) as text. */
function decimal128(b: Buffer, p: number): string {
  const lo = b.readBigUInt64LE(p);
  const hi = b.readBigUInt64LE(p + 8);
  const sign = hi >> 63n ? '-' : '';
  const comb = (hi >> 58n) & 0x1fn;
  if (comb === 0x1fn) return 'NaN';
  if (comb === 0x1en) return `${sign}Infinity`;
  let exp: bigint;
  let coef: bigint;
  if (((hi >> 61n) & 3n) === 3n) {
    exp = (hi >> 47n) & 0x3fffn;
    coef = 0n; // non-canonical: larger than the maximum coefficient
  } else {
    exp = (hi >> 49n) & 0x3fffn;
    coef = ((hi & 0x1ffffffffffffn) << 64n) | lo;
  }
  const e = Number(exp) - 6176;
  const digits = coef.toString();
  if (e === 0) return sign + digits;
  if (e < 0 && -e < digits.length) return `${sign}${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
  if (e < 0 && -e - digits.length < 6) return `${sign}0.${'0'.repeat(-e - digits.length)}${digits}`;
  return `${sign}${digits}E${e > 0 ? '+' : ''}${e}`;
}

/** Size of an element's value of `type` at `p` (bounded by `end`), without decoding it. */
function valueSize(b: Buffer, type: number, p: number, end: number): number {
  switch (type) {
    case 0x01:
    case 0x09:
    case 0x11:
    case 0x12:
      return 8;
    case 0x02:
    case 0x0d:
    case 0x0e: {
      need(p, 4, end);
      const n = b.readInt32LE(p);
      if (n < 1 || p + 4 + n > end) throw new BsonError('bad string length');
      return 4 + n;
    }
    case 0x03:
    case 0x04:
      return docSize(b, p, end);
    case 0x05: {
      need(p, 4, end);
      const n = b.readInt32LE(p);
      if (n < 0) throw new BsonError('bad binary length');
      return 5 + n;
    }
    case 0x06:
    case 0x0a:
    case 0xff:
    case 0x7f:
      return 0;
    case 0x07:
      return 12;
    case 0x08:
      return 1;
    case 0x0b: {
      const e1 = b.indexOf(0, p);
      const e2 = e1 < 0 ? -1 : b.indexOf(0, e1 + 1);
      if (e2 < 0 || e2 >= end) throw new BsonError('unterminated regex');
      return e2 + 1 - p;
    }
    case 0x0c:
      return valueSize(b, 0x02, p, end) + 12;
    case 0x0f: {
      need(p, 4, end);
      return b.readInt32LE(p);
    }
    case 0x10:
      return 4;
    case 0x13:
      return 16;
    default:
      throw new BsonError(`unknown element type 0x${type.toString(16)}`);
  }
}

/** One top-level element of a document, located but not decoded. */
export interface BsonElement {
  type: number;
  name: string;
  /** Offset of the value. */
  at: number;
}

/**
 * Calls `fn` for each element of the document at `off` (names and positions only: values are decoded on demand
 * with `readValueAt`), so a reply can be summarised without decoding its documents.
 */
export function forEachElement(b: Buffer, off: number, end: number, fn: (e: BsonElement) => void): void {
  const size = docSize(b, off, end);
  const stop = off + size - 1;
  let p = off + 4;
  while (p < stop) {
    const type = b[p] as number;
    const [name, q] = cstring(b, p + 1, stop);
    const n = valueSize(b, type, q, stop);
    if (n < 0 || q + n > stop) throw new BsonError('element overruns its document');
    fn({ type, name, at: q });
    p = q + n;
  }
}

/** Decodes the value of one element found by `forEachElement`. */
export function readValueAt(b: Buffer, e: BsonElement, end = b.length): JsonValue {
  return readValue(b, e.type, e.at, end, 0)[0];
}

class JsonLimit extends Error {}

/**
 * The JSON text of the document at `off` — the same text as `JSON.stringify(readDoc(...))`, written straight from
 * the bytes (no intermediate objects). Top-level keys in `skip` are left out and `extra` (pre-rendered
 * `"key":value` pairs) is appended. Writing stops once the text is longer than `limit` characters (0 = no limit):
 * the result is then cut at `limit` and ends with `...`.
 */
export function docJson(b: Buffer, off: number, end: number, limit: number, skip?: ReadonlySet<string>, extra?: readonly string[]): string {
  const w: JsonWriter = { parts: [], len: 0, limit: limit > 0 ? limit : Infinity };
  try {
    writeDoc(w, b, off, docSize(b, off, end), 0, false, skip, extra);
  } catch (e) {
    if (!(e instanceof JsonLimit)) throw e;
  }
  const s = w.parts.join('');
  return w.len > w.limit ? `${s.slice(0, limit)}...` : s;
}

interface JsonWriter {
  parts: string[];
  len: number;
  limit: number;
}

function put(w: JsonWriter, s: string): void {
  w.parts.push(s);
  w.len += s.length;
  if (w.len > w.limit) throw new JsonLimit();
}

function writeDoc(
  w: JsonWriter,
  b: Buffer,
  off: number,
  size: number,
  depth: number,
  isArray: boolean,
  skip?: ReadonlySet<string>,
  extra?: readonly string[],
): void {
  if (depth > MAX_DEPTH) throw new BsonError('documents nested too deeply');
  const end = off + size - 1;
  let p = off + 4;
  let first = true;
  put(w, isArray ? '[' : '{');
  while (p < end) {
    const type = b[p] as number;
    let name: string;
    [name, p] = cstring(b, p + 1, end);
    if (skip !== undefined && skip.has(name)) {
      p += valueSize(b, type, p, end);
      if (p > end) throw new BsonError('element overruns its document');
      continue;
    }
    if (!first) put(w, ',');
    first = false;
    if (!isArray) put(w, `${JSON.stringify(name)}:`);
    p = writeValue(w, b, type, p, end, depth);
  }
  if (p !== end) throw new BsonError('element overruns its document');
  if (extra !== undefined) {
    for (const e of extra) {
      if (!first) put(w, ',');
      first = false;
      put(w, e);
    }
  }
  put(w, isArray ? ']' : '}');
}

function writeValue(w: JsonWriter, b: Buffer, type: number, p: number, end: number, depth: number): number {
  switch (type) {
    case 0x02:
    case 0x0e: {
      const [s, q] = readString(b, p, end);
      put(w, JSON.stringify(s));
      return q;
    }
    case 0x03:
    case 0x04: {
      const size = docSize(b, p, end);
      writeDoc(w, b, p, size, depth + 1, type === 0x04);
      return p + size;
    }
    case 0x10:
      need(p, 4, end);
      put(w, String(b.readInt32LE(p)));
      return p + 4;
    case 0x08:
      need(p, 1, end);
      put(w, b[p] !== 0 ? 'true' : 'false');
      return p + 1;
    case 0x06:
    case 0x0a:
      put(w, 'null');
      return p;
    case 0x07:
      need(p, 12, end);
      put(w, `{"$oid":"${hex(b, p, 12)}"}`);
      return p + 12;
    default: {
      const [v, q] = readValue(b, type, p, end, depth);
      put(w, JSON.stringify(v));
      return q;
    }
  }
}
