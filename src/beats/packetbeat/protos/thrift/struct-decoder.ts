import type { ByteReader } from './byte-reader.js';
import { MAX_DEPTH, type BodyPlan, type RenderOptions, type ThriftMessage } from './message.js';
import { addPart, renderContainer, renderFixed, renderString, type RenderParts } from './render.js';
import { T, resolveType, structFields, type IdlField, type IdlType } from './types.js';

/** A struct or collection being decoded: its rendered parts and where it is in its fields or elements. */
interface Frame extends RenderParts {
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

type State = 'fieldType' | 'fieldId' | 'collHeader' | 'fixed' | 'strLen' | 'strBody';

const FIXED: Record<number, number> = { [T.BOOL]: 1, [T.BYTE]: 1, [T.I16]: 2, [T.I32]: 4, [T.I64]: 8, [T.DOUBLE]: 8, [T.UUID]: 16 };

/**
 * Resumable decoder of a message body (a struct of binary-protocol values) with an explicit stack: values are
 * rendered as text when the plan asks for it, strings keep at most `string_max_size` bytes, collections keep
 * `collection_max_size` rendered elements, nesting is limited to MAX_DEPTH.
 */
export class StructDecoder {
  readonly #opts: RenderOptions;
  readonly #in: ByteReader;
  readonly #fail: (why: string) => false;
  #state: State = 'fieldType';
  #msg: ThriftMessage | undefined;
  #render = true;
  #stack: Frame[] = [];
  #valueType = 0; // type of the value being read in 'fixed' / 'strLen' / 'strBody'
  #strLeft = 0;
  #strLen = 0;
  #strKeep: Buffer[] = [];
  #strKept = 0;
  /** The rendered body once the body struct ended ('' when not rendered). */
  done: string | undefined;

  constructor(opts: RenderOptions, input: ByteReader, fail: (why: string) => false) {
    this.#opts = opts;
    this.#in = input;
    this.#fail = fail;
  }

  /** Whether the body is rendered (false when not planned, or once too many fields made the message dropped). */
  get render(): boolean {
    return this.#render;
  }

  begin(msg: ThriftMessage, plan: BodyPlan): void {
    this.#msg = msg;
    this.#render = plan.render;
    this.#stack = [newFrame('struct', plan.names)];
    this.#state = 'fieldType';
    this.done = undefined;
  }

  reset(): void {
    this.#msg = undefined;
    this.#stack = [];
    this.#strKeep = [];
  }

  /** One step; false when more input is needed (or on error). `done` is set when the body ended. */
  step(): boolean {
    const r = this.#in;
    switch (this.#state) {
      case 'fieldType': {
        if (!r.take(1)) return false;
        const type = r.rb[r.ro]!;
        if (type === T.STOP) return this.#containerDone();
        this.#valueType = type;
        this.#state = 'fieldId';
        return true;
      }
      case 'fieldId': {
        if (!r.take(2)) return false;
        const f = this.#stack[this.#stack.length - 1]!;
        f.fieldId = r.rb.readInt16BE(r.ro);
        const named = f.names?.get(f.fieldId);
        f.fieldName = named?.name;
        f.fieldIdl = named?.type;
        f.fieldCount++;
        if (f.fieldCount > this.#opts.dropAfterNStructFields) {
          this.#msg!.dropped = true;
          this.#render = false;
        }
        return this.#beginValue(this.#valueType, f.fieldIdl);
      }
      case 'collHeader': {
        const f = this.#stack[this.#stack.length - 1]!;
        if (!r.take(f.kind === 'map' ? 6 : 5)) return false;
        const b = r.rb;
        const o = r.ro;
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
        return this.#nextElement();
      }
      case 'fixed': {
        if (!r.take(FIXED[this.#valueType]!)) return false;
        return this.#valueDone(this.#render ? renderFixed(this.#valueType, r.rb, r.ro) : '');
      }
      case 'strLen': {
        if (!r.take(4)) return false;
        const n = r.rb.readInt32BE(r.ro);
        if (n < 0) return this.#fail('negative string length');
        this.#strLen = n;
        this.#strLeft = n;
        this.#strKeep = [];
        this.#strKept = 0;
        this.#state = 'strBody';
        if (n === 0) return this.#stringDone();
        return true;
      }
      case 'strBody': {
        const part = r.part(this.#strLeft);
        const want = this.#render && !this.#opts.obfuscateStrings ? this.#opts.stringMaxSize : 0;
        if (this.#strKept < want) {
          const keep = Math.min(part.length, want - this.#strKept);
          this.#strKeep.push(part.subarray(0, keep));
          this.#strKept += keep;
        }
        this.#strLeft -= part.length;
        if (this.#strLeft > 0) return false;
        return this.#stringDone();
      }
    }
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

  #stringDone(): boolean {
    const o = this.#opts;
    const text = this.#render ? renderString(this.#strKeep, this.#strLen, o.stringMaxSize, o.obfuscateStrings) : '';
    this.#strKeep = [];
    return this.#valueDone(text);
  }

  /** The next element of the collection on top of the stack, or the collection's end. */
  #nextElement(): boolean {
    const f = this.#stack[this.#stack.length - 1]!;
    if (f.remaining === 0) return this.#containerDone();
    if (f.kind === 'map') {
      f.isKey = f.remaining % 2 === 0;
      return this.#beginValue(f.isKey ? f.keyType : f.valType, f.isKey ? f.keyIdl : f.valIdl);
    }
    return this.#beginValue(f.elemType, f.elemIdl);
  }

  /** A value completed: hand it to its container, then continue with the container. */
  #valueDone(text: string): boolean {
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
    return this.#nextElement();
  }

  /** The container on top of the stack ended (struct STOP or last element). */
  #containerDone(): boolean {
    const f = this.#stack.pop()!;
    const text = this.#render ? renderContainer(f) : '';
    if (this.#stack.length === 0) {
      this.done = text;
      this.#msg = undefined;
      return true;
    }
    this.#valueType = f.kind === 'struct' ? T.STRUCT : f.kind === 'map' ? T.MAP : f.kind === 'set' ? T.SET : T.LIST;
    return this.#valueDone(text);
  }
}

function newFrame(kind: Frame['kind'], names: Map<number, IdlField> | undefined): Frame {
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
