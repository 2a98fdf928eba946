import { bytesToText } from '../redis/text.js';
import { T, resolveType, structFields, type Idl, type IdlField, type IdlType } from './types.js';

/**
 * Incremental parser of Thrift's binary protocol over the socket (unframed) or framed transport: bytes in, complete
 * messages out. It is a resumable state machine with an explicit stack, so a message may be split anywhere and no
 * input size drives allocation: strings keep at most `string_max_size` bytes and stream the rest by, collections
 * keep `collection_max_size` rendered elements, rendered text is cut at MAX_RENDER, names at MAX_NAME, nesting is
 * limited to MAX_DEPTH. Every loop iteration consumes input or finishes a value, so nothing can make it spin.
 */
export const MAX_NAME = 64 * 1024;
export const MAX_DEPTH = 64;
export const MAX_RENDER = 4096;
const EMPTY = Buffer.alloc(0);
export const MAX_FRAME = 256 * 1024 * 1024;

export interface RenderOptions {
  stringMaxSize: number;
  collectionMaxSize: number;
  obfuscateStrings: boolean;
  dropAfterNStructFields: number;
  idl: Idl;
}

/** What the owner decides once the message header is known: field names of the body, whether to render it. */
export interface BodyPlan {
  names: Map<number, IdlField> | undefined;
  render: boolean;
}

export interface TopField {
  id: number;
  type: number;
  /** Rendered value (undefined when the body is not rendered). */
  text: string | undefined;
  name: string | undefined;
}

export interface ThriftMessage {
  name: string;
  type: number;
  seqId: number;
  ts: number;
  endTs: number;
  bytes: number;
  /** The body struct's fields (ids always; values when rendered). */
  fields: TopField[];
  /** The body rendered as `(name: value, ...)`, when rendered. */
  text: string | undefined;
  /** More struct fields than drop_after_n_struct_fields: the transaction is to be ignored. */
  dropped: boolean;
}

type Kind = 'struct' | 'list' | 'set' | 'map';

interface Frame {
  kind: Kind;
  parts: string[];
  len: number; // rendered length so far
  truncated: boolean;
  // struct
  names?: Map<number, IdlField> | undefined;
  fieldId: number;
  fieldName: string | undefined;
  fieldIdl: IdlType | undefined;
  fieldCount: number;
  // collections
  remaining: number;
  elemType: number;
  keyType: number;
  valType: number;
  elemIdl: IdlType | undefined;
  keyIdl: IdlType | undefined;
  valIdl: IdlType | undefined;
  pendingKey: string | undefined;
  isKey: boolean;
}

type State =
  | 'frameLen'
  | 'head'
  | 'nameLen'
  | 'name'
  | 'mtype'
  | 'seq'
  | 'fieldType'
  | 'fieldId'
  | 'collHeader'
  | 'fixed'
  | 'strLen'
  | 'strBody'
  | 'skip';

const FIXED: Record<number, number> = { [T.BOOL]: 1, [T.BYTE]: 1, [T.I16]: 2, [T.I32]: 4, [T.I64]: 8, [T.DOUBLE]: 8, [T.UUID]: 16 };

export class ThriftStream {
  readonly #opts: RenderOptions;
  readonly #plan: (name: string, type: number) => BodyPlan;
  readonly #defaultFramed: boolean;
  #framed: boolean | undefined;
  #state: State = 'head';
  #error: string | undefined;
  // fixed-size read carry
  #carry = Buffer.alloc(16);
  #carryLen = 0;
  // current chunk
  #chunk: Buffer = EMPTY;
  #pos = 0;
  // message
  #msg: ThriftMessage | undefined;
  #render = true;
  #frameLen = 0;
  #nameParts: Buffer[] = [];
  #nameLen = 0;
  #nameGot = 0;
  #strict = false;
  #stack: Frame[] = [];
  #valueType = 0; // type of the value being read in 'fixed' / 'strLen' / 'strBody'
  #strLeft = 0;
  #strLen = 0;
  #strKeep: Buffer[] = [];
  #strKept = 0;
  #skipLeft = 0;
  #resync = false;
  #sawStrict = false;
  /** The first bytes of a stream (fewer than 6) kept until the transport can be told. */
  #detect: Buffer | undefined;

  constructor(opts: RenderOptions, plan: (name: string, type: number) => BodyPlan, framed: boolean) {
    this.#opts = opts;
    this.#plan = plan;
    this.#defaultFramed = framed;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /**
   * Forgets the stream position. With `resync` (after lost bytes or garbage), once strict headers were seen on this
   * stream, chunks are skipped until one starts with a strict header (directly or after a frame length).
   */
  reset(resync = false): void {
    this.#resync = resync && this.#sawStrict;
    this.#detect = undefined;
    this.#framed = undefined;
    this.#state = 'head';
    this.#error = undefined;
    this.#carryLen = 0;
    this.#msg = undefined;
    this.#nameParts = [];
    this.#stack = [];
    this.#strKeep = [];
  }

  feed(chunk: Buffer, ts: number): ThriftMessage[] {
    const out: ThriftMessage[] = [];
    if (this.#error !== undefined || chunk.length === 0) return out;
    if (this.#resync) {
      const strictAt = (i: number): boolean => chunk.length >= i + 2 && chunk[i] === 0x80 && chunk[i + 1] === 0x01;
      if (!strictAt(0) && !strictAt(4)) return out;
      this.#resync = false;
    }
    if (this.#framed === undefined) {
      // A strict header (0x80 0x01) at the start or right after a 4-byte length tells the transport. Some framed
      // clients write the length on its own: wait for 6 bytes before deciding.
      if (this.#detect !== undefined) {
        chunk = Buffer.concat([this.#detect, chunk]);
        this.#detect = undefined;
      }
      // A first byte with the top bit set cannot start a frame length (over 2 GB): socket transport.
      if (chunk.length < 6 && (chunk[0]! & 0x80) === 0) {
        this.#detect = Buffer.from(chunk);
        return out;
      }
      const strictAt0 = chunk[0] === 0x80 && chunk[1] === 0x01;
      if (!strictAt0 && chunk.length >= 6 && chunk[4] === 0x80 && chunk[5] === 0x01) this.#framed = true;
      else if ((chunk[0]! & 0x80) !== 0) this.#framed = false;
      else this.#framed = this.#defaultFramed;
      this.#state = this.#framed ? 'frameLen' : 'head';
    }
    this.#chunk = chunk;
    this.#pos = 0;
    while (this.#error === undefined) {
      if (this.#msg === undefined && this.#carryLen === 0 && this.#pos < chunk.length && (this.#state === 'head' || this.#state === 'frameLen'))
        this.#startMessage(ts);
      if (this.#pos >= chunk.length) break;
      if (!this.#step(ts, out)) break;
      const m = this.#msg;
      if (this.#framed && m !== undefined && this.#state !== 'frameLen' && m.bytes > this.#frameLen) this.#fail('message longer than its frame');
    }
    this.#chunk = EMPTY;
    return out;
  }

  #startMessage(ts: number): void {
    this.#msg = { name: '', type: 0, seqId: 0, ts, endTs: ts, bytes: 0, fields: [], text: undefined, dropped: false };
  }

  #fail(why: string): false {
    this.#error = why;
    return false;
  }

  /** The bytes of the last successful #take: #rb at #ro (no Buffer view allocated per read). */
  #rb: Buffer = this.#carry;
  #ro = 0;

  /** Reads n (<= 16) bytes, across chunks if needed, into #rb/#ro; false when the chunk ran out first. */
  #take(n: number): boolean {
    const c = this.#chunk;
    const avail = c.length - this.#pos;
    if (this.#carryLen === 0 && avail >= n) {
      this.#rb = c;
      this.#ro = this.#pos;
      this.#pos += n;
      this.#msg!.bytes += n;
      return true;
    }
    const k = Math.min(n - this.#carryLen, avail);
    c.copy(this.#carry, this.#carryLen, this.#pos, this.#pos + k);
    this.#carryLen += k;
    this.#pos += k;
    this.#msg!.bytes += k;
    if (this.#carryLen < n) return false;
    this.#carryLen = 0;
    this.#rb = this.#carry;
    this.#ro = 0;
    return true;
  }

  /** One step of the state machine; false when more input is needed (or on error). */
  #step(ts: number, out: ThriftMessage[]): boolean {
    const m = this.#msg!;
    switch (this.#state) {
      case 'frameLen': {
        if (!this.#take(4)) return false;
        const b = this.#rb;
        const o = this.#ro;
        this.#frameLen = b.readUInt32BE(o);
        if (this.#frameLen > MAX_FRAME || this.#frameLen < 9) return this.#fail('bad frame length');
        m.bytes = 0; // the frame header is not part of the message
        this.#state = 'head';
        return true;
      }
      case 'head': {
        if (!this.#take(4)) return false;
        const b = this.#rb;
        const o = this.#ro;
        if (b[o]! & 0x80) {
          if (b[o] !== 0x80 || b[o + 1] !== 0x01) return this.#fail('bad protocol version');
          this.#strict = true;
          this.#sawStrict = true;
          m.type = b[o + 3]!;
          this.#state = 'nameLen';
          return true;
        }
        this.#strict = false;
        return this.#beginName(b.readUInt32BE(o));
      }
      case 'nameLen': {
        if (!this.#take(4)) return false;
        const b = this.#rb;
        const o = this.#ro;
        return this.#beginName(b.readUInt32BE(o));
      }
      case 'name': {
        const c = this.#chunk;
        const k = Math.min(this.#nameLen - this.#nameGot, c.length - this.#pos);
        this.#nameParts.push(c.subarray(this.#pos, this.#pos + k));
        this.#nameGot += k;
        this.#pos += k;
        m.bytes += k;
        if (this.#nameGot < this.#nameLen) return false;
        m.name = this.#nameParts.length === 1 ? bytesToText(this.#nameParts[0]!) : bytesToText(Buffer.concat(this.#nameParts));
        this.#nameParts = [];
        this.#state = this.#strict ? 'seq' : 'mtype';
        return true;
      }
      case 'mtype': {
        if (!this.#take(1)) return false;
        const b = this.#rb;
        const o = this.#ro;
        m.type = b[o]!;
        this.#state = 'seq';
        return true;
      }
      case 'seq': {
        if (!this.#take(4)) return false;
        const b = this.#rb;
        const o = this.#ro;
        m.seqId = b.readInt32BE(o);
        if (m.type < 1 || m.type > 4) return this.#fail('bad message type');
        const plan = this.#plan(m.name, m.type);
        this.#render = plan.render;
        this.#stack = [newFrame('struct', plan.names)];
        this.#state = 'fieldType';
        return true;
      }
      case 'fieldType': {
        if (!this.#take(1)) return false;
        const b = this.#rb;
        const o = this.#ro;
        const type = b[o]!;
        if (type === T.STOP) return this.#containerDone(ts, out);
        this.#valueType = type;
        this.#state = 'fieldId';
        return true;
      }
      case 'fieldId': {
        if (!this.#take(2)) return false;
        const b = this.#rb;
        const o = this.#ro;
        const f = this.#stack[this.#stack.length - 1]!;
        f.fieldId = b.readInt16BE(o);
        const named = f.names?.get(f.fieldId);
        f.fieldName = named?.name;
        f.fieldIdl = named?.type;
        f.fieldCount++;
        if (f.fieldCount > this.#opts.dropAfterNStructFields) {
          m.dropped = true;
          this.#render = false;
        }
        return this.#beginValue(this.#valueType, f.fieldIdl);
      }
      case 'collHeader': {
        const f = this.#stack[this.#stack.length - 1]!;
        if (!this.#take(f.kind === 'map' ? 6 : 5)) return false;
        const b = this.#rb;
        const o = this.#ro;
        let size: number;
        if (f.kind === 'map') {
          f.keyType = b[o]!;
          f.valType = b[o + 1]!;
          size = b.readInt32BE(o + 2);
          f.remaining = size * 2;
        } else {
          f.elemType = b[o]!;
          size = b.readInt32BE(o + 1);
          f.remaining = size;
        }
        if (size < 0) return this.#fail('negative collection size');
        return this.#nextElement(ts, out);
      }
      case 'fixed': {
        const n = FIXED[this.#valueType]!;
        if (!this.#take(n)) return false;
        const b = this.#rb;
        const o = this.#ro;
        return this.#valueDone(this.#render ? renderFixed(this.#valueType, b, o) : '', ts, out);
      }
      case 'strLen': {
        if (!this.#take(4)) return false;
        const b = this.#rb;
        const o = this.#ro;
        const n = b.readInt32BE(o);
        if (n < 0) return this.#fail('negative string length');
        this.#strLen = n;
        this.#strLeft = n;
        this.#strKeep = [];
        this.#strKept = 0;
        this.#state = 'strBody';
        if (n === 0) return this.#stringDone(ts, out);
        return true;
      }
      case 'strBody': {
        const c = this.#chunk;
        const k = Math.min(this.#strLeft, c.length - this.#pos);
        const want = this.#render && !this.#opts.obfuscateStrings ? this.#opts.stringMaxSize : 0;
        if (this.#strKept < want) {
          const keep = Math.min(k, want - this.#strKept);
          this.#strKeep.push(c.subarray(this.#pos, this.#pos + keep));
          this.#strKept += keep;
        }
        this.#strLeft -= k;
        this.#pos += k;
        m.bytes += k;
        if (this.#strLeft > 0) return false;
        return this.#stringDone(ts, out);
      }
      case 'skip': {
        const c = this.#chunk;
        const k = Math.min(this.#skipLeft, c.length - this.#pos);
        this.#skipLeft -= k;
        this.#pos += k;
        if (this.#skipLeft > 0) return false;
        this.#state = 'frameLen';
        return true;
      }
    }
  }

  #beginName(n: number): boolean {
    if (n === 0 || n > MAX_NAME) return this.#fail('bad method name length');
    this.#nameLen = n;
    this.#nameGot = 0;
    this.#nameParts = [];
    this.#state = 'name';
    return true;
  }

  #beginValue(type: number, idl: IdlType | undefined): boolean {
    if (FIXED[type] !== undefined) {
      this.#valueType = type;
      this.#state = 'fixed';
      return true;
    }
    if (type === T.STRING) {
      this.#valueType = type;
      this.#state = 'strLen';
      return true;
    }
    if (type === T.STRUCT || type === T.MAP || type === T.SET || type === T.LIST) {
      if (this.#stack.length >= MAX_DEPTH) return this.#fail('nesting too deep');
      const resolved = resolveType(this.#opts.idl, idl);
      if (type === T.STRUCT) {
        this.#stack.push(newFrame('struct', structFields(this.#opts.idl, resolved)));
        this.#state = 'fieldType';
        return true;
      }
      const f = newFrame(type === T.MAP ? 'map' : type === T.SET ? 'set' : 'list', undefined);
      if (resolved?.kind === 'map') {
        f.keyIdl = resolved.key;
        f.valIdl = resolved.value;
      } else if (resolved?.kind === 'list' || resolved?.kind === 'set') f.elemIdl = resolved.elem;
      this.#stack.push(f);
      this.#state = 'collHeader';
      return true;
    }
    return this.#fail(`unknown field type ${type}`);
  }

  #stringDone(ts: number, out: ThriftMessage[]): boolean {
    let text = '';
    if (this.#render) {
      if (this.#opts.obfuscateStrings) text = '"*"';
      else {
        const s = this.#strKeep.length === 1 ? bytesToText(this.#strKeep[0]!) : bytesToText(Buffer.concat(this.#strKeep));
        text = `"${s}"${this.#strLen > this.#opts.stringMaxSize ? '...' : ''}`;
      }
    }
    this.#strKeep = [];
    return this.#valueDone(text, ts, out);
  }

  /** The next element of the collection on top of the stack, or the collection's end. */
  #nextElement(ts: number, out: ThriftMessage[]): boolean {
    const f = this.#stack[this.#stack.length - 1]!;
    if (f.remaining === 0) return this.#containerDone(ts, out);
    if (f.kind === 'map') {
      f.isKey = f.remaining % 2 === 0;
      return this.#beginValue(f.isKey ? f.keyType : f.valType, f.isKey ? f.keyIdl : f.valIdl);
    }
    return this.#beginValue(f.elemType, f.elemIdl);
  }

  /** A value completed: hand it to its container, then continue with the container. */
  #valueDone(text: string, ts: number, out: ThriftMessage[]): boolean {
    const f = this.#stack[this.#stack.length - 1]!;
    if (f.kind === 'struct') {
      if (this.#stack.length === 1) {
        const m = this.#msg!;
        if (m.fields.length < 64)
          m.fields.push({ id: f.fieldId, type: this.#valueType, text: this.#render ? text : undefined, name: f.fieldName });
      }
      if (this.#render) addPart(f, `${f.fieldName ?? f.fieldId}: ${text}`, Infinity);
      this.#state = 'fieldType';
      return true;
    }
    f.remaining--;
    if (this.#render) {
      if (f.kind === 'map') {
        if (f.isKey) f.pendingKey = text;
        else addPart(f, `${f.pendingKey ?? ''}: ${text}`, this.#opts.collectionMaxSize);
      } else addPart(f, text, this.#opts.collectionMaxSize);
    }
    return this.#nextElement(ts, out);
  }

  /** The container on top of the stack ended (struct STOP or last element). */
  #containerDone(ts: number, out: ThriftMessage[]): boolean {
    const f = this.#stack.pop()!;
    const text = this.#render ? renderContainer(f) : '';
    if (this.#stack.length === 0) return this.#messageDone(text, ts, out);
    this.#valueType = f.kind === 'struct' ? T.STRUCT : f.kind === 'map' ? T.MAP : f.kind === 'set' ? T.SET : T.LIST;
    return this.#valueDone(text, ts, out);
  }

  #messageDone(text: string, ts: number, out: ThriftMessage[]): boolean {
    const m = this.#msg!;
    m.text = this.#render ? text : undefined;
    m.endTs = ts;
    this.#msg = undefined;
    out.push(m);
    if (this.#framed) {
      if (m.bytes > this.#frameLen) return this.#fail('message longer than its frame');
      this.#skipLeft = this.#frameLen - m.bytes;
      this.#state = this.#skipLeft > 0 ? 'skip' : 'frameLen';
    } else this.#state = 'head';
    return true;
  }
}

function newFrame(kind: Kind, names: Map<number, IdlField> | undefined): Frame {
  return {
    kind,
    parts: [],
    len: 0,
    truncated: false,
    names,
    fieldId: 0,
    fieldName: undefined,
    fieldIdl: undefined,
    fieldCount: 0,
    remaining: 0,
    elemType: 0,
    keyType: 0,
    valType: 0,
    elemIdl: undefined,
    keyIdl: undefined,
    valIdl: undefined,
    pendingKey: undefined,
    isKey: false,
  };
}

function addPart(f: Frame, text: string, max: number): void {
  if (f.truncated) return;
  if (f.parts.length >= max || f.len > MAX_RENDER) {
    f.truncated = true;
    return;
  }
  f.parts.push(text);
  f.len += text.length + 2;
}

function renderContainer(f: Frame): string {
  const [open, close] = f.kind === 'struct' ? ['(', ')'] : f.kind === 'list' ? ['[', ']'] : ['{', '}'];
  const body = f.parts.join(', ') + (f.truncated ? (f.parts.length > 0 ? ', ...' : '...') : '');
  const s = open + body + close;
  return s.length > MAX_RENDER ? s.slice(0, MAX_RENDER) + '...' : s;
}

function renderFixed(type: number, b: Buffer, o: number): string {
  switch (type) {
    case T.BOOL:
      return b[o] !== 0 ? 'true' : 'false';
    case T.BYTE:
      return String(b.readInt8(o));
    case T.I16:
      return String(b.readInt16BE(o));
    case T.I32:
      return String(b.readInt32BE(o));
    case T.I64:
      return b.readBigInt64BE(o).toString();
    case T.DOUBLE:
      return String(b.readDoubleBE(o));
    default: {
      const h = b.toString('hex', o, o + 16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
}
