import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThriftStream } from '../../../../../src/beats/packetbeat/protos/thrift/binary-parser.js';
import type { RenderOptions, ThriftMessage } from '../../../../../src/beats/packetbeat/protos/thrift/message.js';
import { emptyIdl, T } from '../../../../../src/beats/packetbeat/protos/thrift/types.js';
import { seededRandom } from '../../../../support/random.js';
import { ThriftWriter } from '../../../../support/packetbeat/thrift-writer.js';

const OPTS: RenderOptions = { stringMaxSize: 200, collectionMaxSize: 15, obfuscateStrings: false, dropAfterNStructFields: 500, idl: emptyIdl() };
const plan = (): { names: undefined; render: boolean } => ({ names: undefined, render: true });

function callAllTypes(strict: boolean): Buffer {
  const w = new ThriftWriter();
  if (strict) w.strictHead(1, 'doIt', 7);
  else w.oldHead(1, 'doIt', 7);
  w.field(T.BOOL, 1).u8(1);
  w.field(T.BYTE, 2).u8(0xff);
  w.field(T.I16, 3).i16(-2);
  w.field(T.I32, 4).i32(123456);
  w.field(T.I64, 5).i64(-9007199254740993n);
  w.field(T.DOUBLE, 6).dbl(2.5);
  w.field(T.STRING, 7).str('héllo');
  w.field(T.LIST, 8).u8(T.I32).i32(3).i32(1).i32(2).i32(3);
  w.field(T.SET, 9).u8(T.STRING).i32(1).str('x');
  w.field(T.MAP, 10).u8(T.STRING).u8(T.I16).i32(2).str('a').i16(1).str('b').i16(2);
  w.field(T.STRUCT, 11).field(T.I32, 1).i32(5).field(T.STRUCT, 2).stop().stop();
  w.field(T.LIST, 12).u8(T.STRUCT).i32(0);
  w.stop();
  return w.buf();
}

const ALL_TYPES =
  '(1: true, 2: -1, 3: -2, 4: 123456, 5: -9007199254740993, 6: 2.5, 7: "héllo", 8: [1, 2, 3], 9: {"x"}, 10: {"a": 1, "b": 2}, 11: (1: 5, 2: ()), 12: [])';

function feed(s: ThriftStream, chunks: Buffer[]): ThriftMessage[] {
  const out: ThriftMessage[] = [];
  for (const c of chunks) out.push(...s.feed(c, 0));
  return out;
}

test('every type, strict and non-strict headers, split at every byte offset', () => {
  for (const strict of [true, false]) {
    const msg = Buffer.concat([callAllTypes(strict), new ThriftWriter().strictHead(2, 'doIt', 7).field(T.I32, 0).i32(1).stop().buf()]);
    for (let cut = 0; cut <= msg.length; cut++) {
      const s = new ThriftStream(OPTS, plan, false);
      const out = feed(s, [msg.subarray(0, cut), msg.subarray(cut)]);
      assert.equal(s.error, undefined, `cut ${cut}`);
      assert.equal(out.length, 2, `cut ${cut}`);
      assert.deepEqual([out[0]!.name, out[0]!.type, out[0]!.seqId, out[0]!.text], ['doIt', 1, 7, ALL_TYPES], `cut ${cut}`);
      assert.equal(out[0]!.bytes, msg.length - out[1]!.bytes);
      assert.equal(out[0]!.fields.length, 12);
    }
  }
});

test('framed transport: frames split anywhere, several frames per chunk, padding after the message skipped', () => {
  const body = callAllTypes(true);
  const frame = (b: Buffer, pad = 0): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(b.length + pad);
    return Buffer.concat([h, b, Buffer.alloc(pad)]);
  };
  const stream = Buffer.concat([frame(body), frame(body, 3), frame(body)]);
  for (let cut = 0; cut <= stream.length; cut += 3) {
    const s = new ThriftStream(OPTS, plan, true);
    const out = feed(s, [stream.subarray(0, cut), stream.subarray(cut)]);
    assert.equal(s.error, undefined);
    assert.deepEqual(out.map((m) => m.text), [ALL_TYPES, ALL_TYPES, ALL_TYPES], `cut ${cut}`);
  }
  // Byte by byte.
  const s = new ThriftStream(OPTS, plan, true);
  assert.equal(feed(s, [...stream].map((x) => Buffer.from([x]))).length, 3);
});

test('huge declared sizes allocate nothing; limits bound what is kept', () => {
  const s = new ThriftStream(OPTS, plan, false);
  const head = new ThriftWriter().strictHead(1, 'big', 1).field(T.STRING, 1).i32(0x7fffffff).buf();
  assert.deepEqual(s.feed(head, 0), []);
  const mb = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 8; i++) s.feed(mb, 0);
  assert.equal(s.error, undefined);
  const list = new ThriftStream({ ...OPTS, collectionMaxSize: 2, stringMaxSize: 3 }, plan, false);
  const w = new ThriftWriter().strictHead(1, 'l', 1).field(T.LIST, 1).u8(T.STRING).i32(4).str('abcdef').str('b').str('c').str('d').stop();
  assert.equal(list.feed(w.buf(), 0)[0]!.text, '(1: ["abc"..., "b", ...])');
  const deep = new ThriftStream(OPTS, plan, false);
  const d = new ThriftWriter().strictHead(1, 'd', 1);
  for (let i = 0; i < 100; i++) d.field(T.STRUCT, 1);
  deep.feed(d.buf(), 0);
  assert.equal(deep.error, 'nesting too deep');
});

test('bad input is an error, not an exception, and reset recovers', () => {
  const bad = [
    Buffer.from([0x80, 0x02, 0, 1]), // wrong version
    new ThriftWriter().strictHead(9, 'x', 1).buf(), // bad message type
    new ThriftWriter().strictHead(1, 'x', 1).field(99, 1).buf(), // unknown type
    new ThriftWriter().strictHead(1, 'x', 1).field(T.LIST, 1).u8(T.I32).i32(-1).buf(),
    Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x61, 0x62]), // absurd name length
  ];
  for (const b of bad) {
    const s = new ThriftStream(OPTS, plan, false);
    s.feed(b, 0);
    assert.notEqual(s.error, undefined, b.toString('hex'));
    s.reset();
    assert.equal(s.feed(new ThriftWriter().strictHead(1, 'ok', 1).stop().buf(), 0).length, 1);
  }
  const f = new ThriftStream(OPTS, plan, true);
  f.feed(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x80, 0x01]), 0);
  assert.equal(f.error, 'bad frame length');
});

test('fuzz: random and bit-flipped input never throws and terminates', () => {
  const rnd = seededRandom(3);
  const base = Buffer.concat([callAllTypes(true), callAllTypes(false)]);
  for (let round = 0; round < 2000; round++) {
    const buf = Buffer.from(base);
    if (round % 3 !== 2)
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const j = Math.floor(rnd() * buf.length);
        buf[j] = buf[j]! ^ (1 << Math.floor(rnd() * 8));
      }
    else for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
    const s = new ThriftStream({ ...OPTS, dropAfterNStructFields: 5 }, plan, round % 2 === 0);
    for (let pos = 0; pos < buf.length; ) {
      const n = 1 + Math.floor(rnd() * 24);
      s.feed(buf.subarray(pos, pos + n), 0);
      if (s.error !== undefined) s.reset();
      pos += n;
    }
  }
});

test('the transport is told from the first 6 bytes even when the frame length comes in a segment of its own', () => {
  const body = callAllTypes(true);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length);
  for (const split of [1, 2, 3, 4, 5]) {
    const s = new ThriftStream(OPTS, plan, false); // configured socket, traffic framed
    const stream = Buffer.concat([h, body, h, body]);
    const chunks = split < 4 ? [stream.subarray(0, split), stream.subarray(split, 4), stream.subarray(4)] : [stream.subarray(0, split), stream.subarray(split)];
    const out = feed(s, chunks);
    assert.equal(s.error, undefined, `split ${split}`);
    assert.deepEqual(out.map((m) => m.text), [ALL_TYPES, ALL_TYPES], `split ${split}`);
  }
  // An unframed strict message is recognised from its first 2 bytes.
  const u = new ThriftStream(OPTS, plan, true);
  assert.deepEqual(feed(u, [body.subarray(0, 2), body.subarray(2)]).map((m) => m.text), [ALL_TYPES]);
});
