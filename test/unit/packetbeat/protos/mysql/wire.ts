// Builds MySQL protocol packets (client/server protocol 4.1, per the MySQL and MariaDB protocol documentation).
export const lenenc = (n: number): Buffer => {
  if (n < 0xfb) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
};
export const lstr = (s: string | null): Buffer => (s === null ? Buffer.from([0xfb]) : Buffer.concat([lenenc(Buffer.byteLength(s)), Buffer.from(s)]));
const u16 = (n: number): Buffer => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export function pkt(seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  h[3] = seq;
  return Buffer.concat([h, payload]);
}

export function handshake(caps: number): Buffer {
  return Buffer.concat([
    Buffer.from([0x0a]), Buffer.from('8.0.0\0'), u32(7), Buffer.alloc(8, 0x41), Buffer.from([0]),
    u16(caps & 0xffff), Buffer.from([0x21]), u16(2), u16(caps >>> 16), Buffer.from([21]), Buffer.alloc(10),
    Buffer.alloc(13, 0x42), Buffer.from('mysql_native_password\0'),
  ]);
}

export function handshakeResponse(caps: number, user: string, secret: string): Buffer {
  return Buffer.concat([u32(caps), u32(1 << 24), Buffer.from([0x21]), Buffer.alloc(23), Buffer.from(`${user}\0`), lstr(secret), Buffer.from('test\0'), Buffer.from('mysql_native_password\0')]);
}

export const ok = (affected = 0, insertId = 0, status = 2, header = 0x00): Buffer =>
  Buffer.concat([Buffer.from([header]), lenenc(affected), lenenc(insertId), u16(status), u16(0)]);
export const eof = (status = 2): Buffer => Buffer.concat([Buffer.from([0xfe, 0, 0]), u16(status)]);
export const err = (code: number, state: string, msg: string): Buffer => Buffer.concat([Buffer.from([0xff]), u16(code), Buffer.from(`#${state}${msg}`)]);

export function coldef(schema: string, table: string, name: string, type = 0xfd, flags = 0): Buffer {
  return Buffer.concat([
    lstr('def'), lstr(schema), lstr(table), lstr(table), lstr(name), lstr(name),
    Buffer.from([0x0c]), u16(33), u32(80), Buffer.from([type]), u16(flags), Buffer.from([0]), Buffer.alloc(2),
  ]);
}

export const textRow = (vals: (string | null)[]): Buffer => Buffer.concat(vals.map(lstr));
export const command = (cmd: number, body: Buffer | string = Buffer.alloc(0)): Buffer => Buffer.concat([Buffer.from([cmd]), typeof body === 'string' ? Buffer.from(body) : body]);

export const CAPS = { PROTOCOL_41: 0x200, TRANSACTIONS: 0x2000, SECURE: 0x8000, MULTI: 0x10000, MULTI_RESULTS: 0x20000, PLUGIN_AUTH: 0x80000, DEPRECATE_EOF: 0x1000000, SSL: 0x800 };
export { u16, u32 };
