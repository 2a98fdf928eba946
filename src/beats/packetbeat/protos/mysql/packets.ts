/**
 * Decoding of MySQL / MariaDB protocol packet payloads (client/server protocol 4.1): length-encoded values,
 * OK / ERR / EOF packets, column definitions, handshake capabilities and binary-protocol values.
 * Every reader is bounds-checked: reading past the end throws Truncated, which the parser catches.
 */

export class Truncated extends Error {
  constructor() {
    super('truncated MySQL packet');
  }
}

export const CLIENT_MYSQL = 1;
export const CLIENT_CONNECT_WITH_DB = 8;
export const CLIENT_PROTOCOL_41 = 0x200;
export const CLIENT_SSL = 0x800;
export const CLIENT_PLUGIN_AUTH_LENENC = 0x200000;
export const CLIENT_DEPRECATE_EOF = 0x1000000;
export const CLIENT_QUERY_ATTRIBUTES = 0x8000000;
/** MariaDB extended capability bits (the upper 32 bits of the 64-bit capability set). */
export const MARIADB_CLIENT_CACHE_METADATA = 1 << 4;
export const MARIADB_CLIENT_EXTENDED_METADATA = 1 << 3;

export const SERVER_MORE_RESULTS_EXISTS = 0x0008;
export const SERVER_STATUS_CURSOR_EXISTS = 0x0040;

/** A cursor over one packet payload. */
export class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }
  get left(): number {
    return this.end - this.pos;
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Truncated();
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = this.buf.readUIntLE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** Length-encoded integer; null for the NULL marker 0xfb. Values above 2^53 lose precision (counts never do). */
  lenenc(): number | null {
    const b = this.u8();
    if (b < 0xfb) return b;
    if (b === 0xfb) return null;
    if (b === 0xfc) return this.u16();
    if (b === 0xfd) return this.u24();
    if (b === 0xfe) {
      this.need(8);
      const lo = this.buf.readUInt32LE(this.pos);
      const hi = this.buf.readUInt32LE(this.pos + 4);
      this.pos += 8;
      return hi * 0x100000000 + lo;
    }
    throw new Truncated(); // 0xff is not a valid length prefix
  }
  lenencNum(): number {
    return this.lenenc() ?? 0;
  }
  /** Length-encoded string; null for NULL. */
  lenencStr(): string | null {
    const n = this.lenenc();
    if (n === null) return null;
    return this.bytes(n).toString('utf8');
  }
  /** NUL-terminated string (or the rest of the payload when there is no NUL). */
  cstr(): string {
    const e = this.buf.indexOf(0, this.pos);
    const stop = e < 0 || e >= this.end ? this.end : e;
    const s = this.buf.toString('utf8', this.pos, stop);
    this.pos = Math.min(this.end, stop + 1);
    return s;
  }
  rest(): string {
    const s = this.buf.toString('utf8', this.pos, this.end);
    this.pos = this.end;
    return s;
  }
}

/** An EOF packet (or the OK packet that replaces it with CLIENT_DEPRECATE_EOF): header 0xfe, shorter than 9 bytes. */
export function isEof(p: Buffer): boolean {
  return p.length > 0 && p.length < 9 && p[0] === 0xfe;
}

export interface OkPacket {
  affectedRows: number;
  insertId: number;
  status: number;
}

export function parseOk(p: Buffer): OkPacket {
  const c = new Cursor(p, 1);
  const affectedRows = c.lenencNum();
  const insertId = c.lenencNum();
  const status = c.left >= 2 ? c.u16() : 0;
  return { affectedRows, insertId, status };
}

/** Status flags of a result set terminator: a 5-byte EOF or an OK packet with header 0xfe. */
export function terminatorStatus(p: Buffer): number {
  try {
    if (p.length === 5) return p.readUInt16LE(3);
    return parseOk(p).status;
  } catch {
    return 0;
  }
}

export interface ErrPacket {
  code: number;
  sqlState?: string | undefined;
  message: string;
}

export function parseErr(p: Buffer): ErrPacket {
  const c = new Cursor(p, 1);
  const code = c.left >= 2 ? c.u16() : 0;
  let sqlState: string | undefined;
  if (c.left >= 6 && p[c.pos] === 0x23) {
    c.skip(1);
    sqlState = c.bytes(5).toString('latin1');
  }
  return { code, sqlState, message: c.rest() };
}

export interface ColumnDef {
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  type: number;
  flags: number;
}

/**
 * Column definition (Protocol::ColumnDefinition41). With MariaDB extended metadata an extra length-encoded string
 * sits before the fixed-length block; the block (0x0c + 12 bytes) is located from the end of the packet instead.
 */
export function parseColumnDef(p: Buffer): ColumnDef {
  const c = new Cursor(p);
  c.lenencStr(); // catalog "def"
  const schema = c.lenencStr() ?? '';
  const table = c.lenencStr() ?? '';
  const orgTable = c.lenencStr() ?? '';
  const name = c.lenencStr() ?? '';
  c.lenencStr(); // org_name
  let fixed = c.pos;
  if (p[fixed] !== 0x0c || p.length - fixed < 13) {
    fixed = p.length - 13;
  } else if (p.length - fixed > 13 && p[p.length - 13] === 0x0c) {
    // extended metadata string present (or COM_FIELD_LIST default values): prefer the last block when it fits
    const ext = new Cursor(p, c.pos);
    try {
      ext.lenencStr();
      if (p[ext.pos] === 0x0c && p.length - ext.pos >= 13) fixed = ext.pos;
    } catch {
      /* keep the first candidate */
    }
  }
  let type = 0;
  let flags = 0;
  if (fixed >= 0 && p[fixed] === 0x0c && fixed + 13 <= p.length) {
    type = p[fixed + 7] as number;
    flags = p.readUInt16LE(fixed + 8);
  }
  return { schema, table, orgTable, name, type, flags };
}

/** MySQL column / parameter types used by the binary protocol. */
export const T = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  NULL: 0x06,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  NEWDATE: 0x0e,
  VARCHAR: 0x0f,
  BIT: 0x10,
  TIMESTAMP2: 0x11,
  DATETIME2: 0x12,
  TIME2: 0x13,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  ENUM: 0xf7,
  SET: 0xf8,
  TINY_BLOB: 0xf9,
  MEDIUM_BLOB: 0xfa,
  LONG_BLOB: 0xfb,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
  GEOMETRY: 0xff,
} as const;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Reads one binary-protocol value of `type` (flag 0x80 of the type's second byte = unsigned) as text. */
export function readBinaryValue(c: Cursor, type: number, unsigned: boolean): string {
  switch (type) {
    case T.TINY: {
      const v = c.u8();
      return String(unsigned ? v : (v << 24) >> 24);
    }
    case T.SHORT:
    case T.YEAR: {
      const v = c.u16();
      return String(unsigned ? v : (v << 16) >> 16);
    }
    case T.LONG:
    case T.INT24: {
      const v = c.u32();
      return String(unsigned ? v : v | 0);
    }
    case T.LONGLONG: {
      c.need(8);
      const v = unsigned ? c.buf.readBigUInt64LE(c.pos) : c.buf.readBigInt64LE(c.pos);
      c.pos += 8;
      return v.toString();
    }
    case T.FLOAT: {
      c.need(4);
      const v = c.buf.readFloatLE(c.pos);
      c.pos += 4;
      return String(Math.fround(v));
    }
    case T.DOUBLE: {
      c.need(8);
      const v = c.buf.readDoubleLE(c.pos);
      c.pos += 8;
      return String(v);
    }
    case T.DATE:
    case T.DATETIME:
    case T.TIMESTAMP:
    case T.NEWDATE:
    case T.DATETIME2:
    case T.TIMESTAMP2: {
      const n = c.u8();
      const start = c.pos;
      c.need(n);
      let s = '0000-00-00';
      if (n >= 4) s = `${pad(c.buf.readUInt16LE(start), 4)}-${pad(c.buf[start + 2] as number)}-${pad(c.buf[start + 3] as number)}`;
      if (n >= 7) s += ` ${pad(c.buf[start + 4] as number)}:${pad(c.buf[start + 5] as number)}:${pad(c.buf[start + 6] as number)}`;
      if (n >= 11) s += `.${pad(c.buf.readUInt32LE(start + 7), 6)}`;
      c.pos = start + n;
      return s;
    }
    case T.TIME:
    case T.TIME2: {
      const n = c.u8();
      const start = c.pos;
      c.need(n);
      let s = '00:00:00';
      if (n >= 8) {
        const neg = c.buf[start] === 1;
        const days = c.buf.readUInt32LE(start + 1);
        const h = days * 24 + (c.buf[start + 5] as number);
        s = `${neg ? '-' : ''}${pad(h)}:${pad(c.buf[start + 6] as number)}:${pad(c.buf[start + 7] as number)}`;
        if (n >= 12) s += `.${pad(c.buf.readUInt32LE(start + 8), 6)}`;
      }
      c.pos = start + n;
      return s;
    }
    case T.NULL:
      return 'NULL';
    default: {
      // strings, blobs, decimals, bit, enum, set, json, geometry: length-encoded bytes
      const n = c.lenenc();
      if (n === null) return 'NULL';
      return c.bytes(n).toString('utf8');
    }
  }
}
