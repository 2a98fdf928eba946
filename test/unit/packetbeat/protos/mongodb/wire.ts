// Builds MongoDB wire-protocol messages (per the public wire-protocol spec) with the `bson` package as the
// document encoder: test traffic for the parser, since no MongoDB server or capture is available.
import { deflateSync } from 'node:zlib';
import { serialize, type Document } from 'bson';

const doc = (d: Document): Buffer => Buffer.from(serialize(d));
const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const i64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};

export function message(requestId: number, responseTo: number, opCode: number, body: Buffer): Buffer {
  return Buffer.concat([i32(16 + body.length), i32(requestId), i32(responseTo), i32(opCode), body]);
}

export function opMsg(requestId: number, body: Document, opts: { sequences?: [string, Document[]][]; flags?: number; responseTo?: number } = {}): Buffer {
  const parts: Buffer[] = [i32(opts.flags ?? 0), Buffer.from([0]), doc(body)];
  for (const [id, docs] of opts.sequences ?? []) {
    const payload = Buffer.concat([cstr(id), ...docs.map(doc)]);
    parts.push(Buffer.from([1]), i32(4 + payload.length), payload);
  }
  return message(requestId, opts.responseTo ?? 0, 2013, Buffer.concat(parts));
}

export function opMsgReply(requestId: number, responseTo: number, body: Document): Buffer {
  return opMsg(requestId, body, { responseTo });
}

export function opQuery(requestId: number, ns: string, query: Document, opts: { skip?: number; limit?: number; fields?: Document } = {}): Buffer {
  const parts = [i32(0), cstr(ns), i32(opts.skip ?? 0), i32(opts.limit ?? 0), doc(query)];
  if (opts.fields) parts.push(doc(opts.fields));
  return message(requestId, 0, 2004, Buffer.concat(parts));
}

export function opReply(requestId: number, responseTo: number, docs: Document[], opts: { flags?: number; cursorId?: bigint; startingFrom?: number } = {}): Buffer {
  const body = Buffer.concat([i32(opts.flags ?? 0), i64(opts.cursorId ?? 0n), i32(opts.startingFrom ?? 0), i32(docs.length), ...docs.map(doc)]);
  return message(requestId, responseTo, 1, body);
}

export const opInsert = (id: number, ns: string, docs: Document[]): Buffer => message(id, 0, 2002, Buffer.concat([i32(0), cstr(ns), ...docs.map(doc)]));
export const opUpdate = (id: number, ns: string, sel: Document, upd: Document): Buffer =>
  message(id, 0, 2001, Buffer.concat([i32(0), cstr(ns), i32(0), doc(sel), doc(upd)]));
export const opDelete = (id: number, ns: string, sel: Document): Buffer => message(id, 0, 2006, Buffer.concat([i32(0), cstr(ns), i32(0), doc(sel)]));
export const opGetMore = (id: number, ns: string, n: number, cursor: bigint): Buffer =>
  message(id, 0, 2005, Buffer.concat([i32(0), cstr(ns), i32(n), i64(cursor)]));
export const opKillCursors = (id: number, cursors: bigint[]): Buffer =>
  message(id, 0, 2007, Buffer.concat([i32(0), i32(cursors.length), ...cursors.map(i64)]));

/** Wraps a message in OP_COMPRESSED with zlib (compressor id 2) or noop (0). */
export function compressed(msg: Buffer, compressor: 0 | 2 = 2): Buffer {
  const requestId = msg.readInt32LE(4);
  const responseTo = msg.readInt32LE(8);
  const opCode = msg.readInt32LE(12);
  const body = msg.subarray(16);
  const data = compressor === 2 ? deflateSync(body) : body;
  return message(requestId, responseTo, 2012, Buffer.concat([i32(opCode), i32(body.length), Buffer.from([compressor]), data]));
}
