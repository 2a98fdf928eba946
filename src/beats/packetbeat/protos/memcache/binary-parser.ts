import { bytesToText } from '../redis/text.js';
import { keepValue, newMessage, type McMessage, type ValueLimits } from './message.js';

/** Binary protocol opcode names (lower case, as in the protocol spec's command names). */
export const OPCODES: Record<number, string> = {
  0x00: 'get', 0x01: 'set', 0x02: 'add', 0x03: 'replace', 0x04: 'delete', 0x05: 'increment', 0x06: 'decrement',
  0x07: 'quit', 0x08: 'flush', 0x09: 'getq', 0x0a: 'noop', 0x0b: 'version', 0x0c: 'getk', 0x0d: 'getkq',
  0x0e: 'append', 0x0f: 'prepend', 0x10: 'stat', 0x11: 'setq', 0x12: 'addq', 0x13: 'replaceq', 0x14: 'deleteq',
  0x15: 'incrementq', 0x16: 'decrementq', 0x17: 'quitq', 0x18: 'flushq', 0x19: 'appendq', 0x1a: 'prependq',
  0x1b: 'verbosity', 0x1c: 'touch', 0x1d: 'gat', 0x1e: 'gatq', 0x20: 'sasl_list_mechs', 0x21: 'sasl_auth',
  0x22: 'sasl_step', 0x23: 'gatk', 0x24: 'gatkq',
};

const QUIET = new Set([0x09, 0x0d, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1e, 0x24]);
/** SASL payloads carry credentials: never kept. */
const SECRET = new Set([0x21, 0x22]);

const TYPES: Record<string, string> = {
  get: 'Load', getq: 'Load', getk: 'Load', getkq: 'Load', gat: 'Load', gatq: 'Load', gatk: 'Load', gatkq: 'Load',
  set: 'Store', setq: 'Store', add: 'Store', addq: 'Store', replace: 'Store', replaceq: 'Store', append: 'Store',
  appendq: 'Store', prepend: 'Store', prependq: 'Store', touch: 'Store', delete: 'Delete', deleteq: 'Delete',
  flush: 'Delete', flushq: 'Delete', increment: 'Counter', incrementq: 'Counter', decrement: 'Counter',
  decrementq: 'Counter', stat: 'Stats', version: 'Info', verbosity: 'Info', noop: 'Info', quit: 'Info', quitq: 'Info',
  sasl_list_mechs: 'Auth', sasl_auth: 'Auth', sasl_step: 'Auth',
};

export const STATUS_NAMES: Record<number, string> = {
  0x00: 'Success', 0x01: 'Key not found', 0x02: 'Key exists', 0x03: 'Value too large', 0x04: 'Invalid arguments',
  0x05: 'Item not stored', 0x06: 'Incr/Decr on non-numeric value', 0x07: 'The vbucket belongs to another server',
  0x08: 'Authentication error', 0x09: 'Authentication continue', 0x20: 'Authentication required',
  0x81: 'Unknown command', 0x82: 'Out of memory', 0x83: 'Not supported', 0x84: 'Internal error', 0x85: 'Busy',
  0x86: 'Temporary failure',
};

export const isQuietOpcode = (op: number): boolean => QUIET.has(op);

/**
 * Incremental parser of the memcache binary protocol (24-byte header, then extras, key and value). Header, extras
 * and key are buffered (at most 24 + 255 + 65535 bytes); the value streams by and only the part the value limits
 * ask for is kept, so a declared body of 4 GB allocates nothing.
 */
export class BinaryParser {
  readonly #req: boolean;
  readonly #limits: ValueLimits;
  #head: Buffer[] = [];
  #headLen = 0;
  #need = 24; // bytes to buffer before the next step (header, then extras+key)
  #stage: 'header' | 'extkey' | 'value' = 'header';
  #valueLeft = 0;
  #keep: Buffer[] = [];
  #kept = 0;
  #keepMax = 0;
  #hdr: Buffer | undefined;
  #msg: McMessage | undefined;
  #error: string | undefined;

  constructor(isRequest: boolean, limits: ValueLimits) {
    this.#req = isRequest;
    this.#limits = limits;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get midMessage(): boolean {
    return this.#msg !== undefined;
  }

  reset(): void {
    this.#head = [];
    this.#headLen = 0;
    this.#need = 24;
    this.#stage = 'header';
    this.#keep = [];
    this.#kept = 0;
    this.#msg = undefined;
    this.#hdr = undefined;
    this.#error = undefined;
  }

  feed(chunk: Buffer, ts: number, out: McMessage[]): void {
    if (this.#error !== undefined) return;
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      if (this.#msg === undefined) this.#msg = newMessage('binary', this.#req, ts);
      const m = this.#msg;
      if (this.#stage === 'value') {
        const take = Math.min(this.#valueLeft, len - i);
        if (this.#kept < this.#keepMax) {
          const k = Math.min(take, this.#keepMax - this.#kept);
          this.#keep.push(chunk.subarray(i, i + k));
          this.#kept += k;
        }
        this.#valueLeft -= take;
        m.bytes += take;
        i += take;
        if (this.#valueLeft === 0) this.#finishValue(m, ts, out);
        continue;
      }
      const take = Math.min(this.#need - this.#headLen, len - i);
      this.#head.push(chunk.subarray(i, i + take));
      this.#headLen += take;
      m.bytes += take;
      i += take;
      if (this.#headLen < this.#need) continue;
      const buf = this.#head.length === 1 ? this.#head[0]! : Buffer.concat(this.#head);
      this.#head = [];
      this.#headLen = 0;
      if (this.#stage === 'header') {
        if (!this.#header(m, buf)) return;
        this.#hdr = Buffer.from(buf);
        const extKey = buf[4]! + buf.readUInt16BE(2);
        this.#stage = 'extkey';
        this.#need = extKey;
        if (extKey === 0) this.#extKey(m, Buffer.alloc(0), ts, out);
      } else this.#extKey(m, buf, ts, out);
    }
  }

  #header(m: McMessage, h: Buffer): boolean {
    const magic = h[0]!;
    if (magic !== (this.#req ? 0x80 : 0x81)) {
      this.#error = 'bad magic';
      return false;
    }
    const keyLen = h.readUInt16BE(2);
    const extLen = h[4]!;
    const body = h.readUInt32BE(8);
    if (keyLen + extLen > body) {
      this.#error = 'bad lengths';
      return false;
    }
    const op = h[1]!;
    m.opcode = op;
    m.command = OPCODES[op] ?? `opcode_0x${op.toString(16).padStart(2, '0')}`;
    m.type = TYPES[m.command] ?? 'Unknown';
    m.unknown = OPCODES[op] === undefined;
    if (this.#req) {
      m.vbucket = h.readUInt16BE(6);
      if (QUIET.has(op)) m.quiet = true;
    } else m.status = h.readUInt16BE(6);
    m.opaque = h.readUInt32BE(12);
    const cas = h.readBigUInt64BE(16);
    if (cas !== 0n) m.cas = cas.toString();
    return true;
  }

  #extKey(m: McMessage, buf: Buffer, ts: number, out: McMessage[]): void {
    const h = this.#hdr!;
    const extLen = h[4]!;
    const keyLen = h.readUInt16BE(2);
    const ext = buf.subarray(0, extLen);
    if (keyLen > 0) m.keys = [bytesToText(buf, extLen, extLen + keyLen)];
    this.#extras(m, ext);
    this.#valueLeft = h.readUInt32BE(8) - extLen - keyLen;
    const secret = SECRET.has(m.opcode!);
    const errorBody = !this.#req && m.status !== 0;
    const counterReply = !this.#req && m.type === 'Counter';
    const statReply = !this.#req && m.command === 'stat';
    this.#keepMax =
      errorBody || m.command === 'version' || statReply || counterReply
        ? 1024
        : secret || this.#valueLeft === 0
          ? 0
          : keepValue(this.#limits, m);
    this.#keep = [];
    this.#kept = 0;
    this.#stage = 'value';
    this.#need = 24;
    if (this.#valueLeft === 0) this.#finishValue(m, ts, out);
  }

  #extras(m: McMessage, ext: Buffer): void {
    if (this.#req) {
      if (m.type === 'Store' && m.command !== 'touch' && ext.length >= 8) {
        m.flags = ext.readUInt32BE(0);
        m.exptime = ext.readUInt32BE(4);
      } else if (m.type === 'Counter' && ext.length >= 20) {
        m.delta = ext.readBigUInt64BE(0).toString();
        m.initial = ext.readBigUInt64BE(8).toString();
        m.exptime = ext.readUInt32BE(16);
      } else if ((m.command === 'touch' || m.command.startsWith('gat')) && ext.length >= 4) m.exptime = ext.readUInt32BE(0);
      else if (m.command === 'verbosity' && ext.length >= 4) m.verbosity = ext.readUInt32BE(0);
      else if (m.type === 'Delete' && m.command.startsWith('flush') && ext.length >= 4) m.exptime = ext.readUInt32BE(0);
    } else if (ext.length >= 4 && m.type === 'Load') m.flags = ext.readUInt32BE(0);
  }

  #finishValue(m: McMessage, ts: number, out: McMessage[]): void {
    const h = this.#hdr!;
    const valueLen = h.readUInt32BE(8) - h[4]! - h.readUInt16BE(2);
    const kept = this.#keep.length === 0 ? Buffer.alloc(0) : Buffer.concat(this.#keep);
    this.#keep = [];
    this.#kept = 0;
    if (!this.#req && m.status !== 0) {
      if (valueLen > 0) m.errorMsg = bytesToText(kept);
    } else if (!this.#req && m.type === 'Counter') {
      if (kept.length >= 8) m.counter = kept.readBigUInt64BE(0).toString();
    } else if (!this.#req && m.command === 'version') {
      m.version = bytesToText(kept);
      m.valueBytes = valueLen;
    } else if (!this.#req && m.command === 'stat') {
      if (m.keys.length > 0) m.stats = [{ name: m.keys[0]!, value: bytesToText(kept) }];
    } else if (valueLen > 0) {
      m.countValues = 1;
      m.valueBytes = valueLen;
      if (this.#keepMax > 0) m.values.push(bytesToText(kept));
    }
    m.endTs = ts;
    this.#stage = 'header';
    this.#need = 24;
    this.#hdr = undefined;
    this.#msg = undefined;
    out.push(m);
  }
}
