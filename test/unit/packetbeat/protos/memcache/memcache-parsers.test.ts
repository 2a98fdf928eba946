import { test } from 'node:test';
import assert from 'node:assert/strict';
import { McStream } from '../../../../../src/beats/packetbeat/protos/memcache/stream.js';
import type { McMessage } from '../../../../../src/beats/packetbeat/protos/memcache/message.js';
import { seededRandom } from '../../../../support/random.js';

const LIMITS = { maxValues: -1, maxBytesPerValue: 1024 };
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function parse(req: boolean, chunks: Buffer[], limits = LIMITS): { msgs: McMessage[]; s: McStream } {
  const s = new McStream(req, limits, true);
  const msgs: McMessage[] = [];
  chunks.forEach((c, i) => msgs.push(...s.feed(c, i)));
  return { msgs, s };
}

const summary = (m: McMessage): string =>
  JSON.stringify([m.command, m.type, m.keys, m.countValues, m.valueBytes, m.values, m.noreply ?? null, m.quiet ?? null, m.counter ?? null, m.errorMsg ?? null, m.stats?.length ?? null, m.bytes]);

const TEXT_REQ =
  'set k1 0 0 5\r\nhello\r\nget a b c\r\ngets a\r\ncas k 1 2 3 99 noreply\r\nabc\r\nincr n 5\r\ndecr n 1 noreply\r\n' +
  'delete k noreply\r\ntouch k 10\r\ngat 100 x y\r\nstats slabs\r\nflush_all\r\nversion\r\nverbosity 1\r\nmn\r\nms mk 2 T0\r\nhi\r\nmg mk v q\r\nquit\r\n';
const TEXT_RESP =
  'STORED\r\nVALUE a 0 3\r\nabc\r\nVALUE c 5 2 7\r\nxy\r\nEND\r\nEND\r\n42\r\nNOT_FOUND\r\nTOUCHED\r\nSTAT pid 1\r\nSTAT uptime 2\r\nEND\r\n' +
  'OK\r\nVERSION 1.6.18\r\nCLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory\r\nERROR\r\nVA 2 f0\r\nhi\r\nEN\r\nMN\r\n';

// [command, type, keys, count_values, bytes, values, noreply, quiet, counter, error_msg, stats, wire bytes]
const GOLDEN_REQ = [
  '["set","Store",["k1"],1,5,["hello"],null,null,null,null,null,21]',
  '["get","Load",["a","b","c"],0,0,[],null,null,null,null,null,11]',
  '["gets","Load",["a"],0,0,[],null,null,null,null,null,8]',
  '["cas","Store",["k"],1,3,["abc"],true,null,null,null,null,29]',
  '["incr","Counter",["n"],0,0,[],null,null,null,null,null,10]',
  '["decr","Counter",["n"],0,0,[],true,null,null,null,null,18]',
  '["delete","Delete",["k"],0,0,[],true,null,null,null,null,18]',
  '["touch","Store",["k"],0,0,[],null,null,null,null,null,12]',
  '["gat","Load",["x","y"],0,0,[],null,null,null,null,null,13]',
  '["stats","Stats",[],0,0,[],null,null,null,null,null,13]',
  '["flush_all","Delete",[],0,0,[],null,null,null,null,null,11]',
  '["version","Info",[],0,0,[],null,null,null,null,null,9]',
  '["verbosity","Info",[],0,0,[],null,null,null,null,null,13]',
  '["mn","Meta",[],0,0,[],null,null,null,null,null,4]',
  '["ms","Meta",["mk"],1,2,["hi"],null,null,null,null,null,16]',
  '["mg","Meta",["mk"],0,0,[],null,true,null,null,null,11]',
  '["quit","Info",[],0,0,[],null,null,null,null,null,6]',
];
const GOLDEN_RESP = [
  '["STORED","Success",[],0,0,[],null,null,null,null,null,8]',
  '["VALUE","Load",["a","c"],2,5,["abc","xy"],null,null,null,null,null,42]',
  '["END","Load",[],0,0,[],null,null,null,null,null,5]',
  '["COUNTER","Counter",[],0,0,[],null,null,"42",null,null,4]',
  '["NOT_FOUND","Fail",[],0,0,[],null,null,null,null,null,11]',
  '["TOUCHED","Success",[],0,0,[],null,null,null,null,null,9]',
  '["STAT","Stats",[],0,0,[],null,null,null,null,2,32]',
  '["OK","Success",[],0,0,[],null,null,null,null,null,4]',
  '["VERSION","Info",[],0,0,[],null,null,null,null,null,16]',
  '["CLIENT_ERROR","Error",[],0,0,[],null,null,null,"bad data chunk",null,29]',
  '["SERVER_ERROR","Error",[],0,0,[],null,null,null,"out of memory",null,28]',
  '["ERROR","Error",[],0,0,[],null,null,null,null,null,7]',
  '["VA","Meta",[],1,2,["hi"],null,null,null,null,null,13]',
  '["EN","Meta",[],0,0,[],null,null,null,null,null,4]',
  '["MN","Meta",[],0,0,[],null,null,null,null,null,4]',
];

test('text protocol: every command and reply kind, split at every byte offset', () => {
  const whole = [GOLDEN_REQ, GOLDEN_RESP];
  assert.deepEqual(parse(true, [b(TEXT_REQ)]).msgs.map(summary), GOLDEN_REQ);
  assert.deepEqual(parse(false, [b(TEXT_RESP)]).msgs.map(summary), GOLDEN_RESP);
  [TEXT_REQ, TEXT_RESP].forEach((text, k) => {
    const buf = b(text);
    for (let cut = 1; cut < buf.length; cut++) {
      const { msgs, s } = parse(k === 0, [buf.subarray(0, cut), buf.subarray(cut)]);
      assert.equal(s.error, undefined, `cut ${cut}`);
      assert.deepEqual(msgs.map(summary), whole[k], `cut ${cut}`);
    }
  });
});

function binMsg(magic: number, op: number, opts: { key?: string; extras?: Buffer; value?: Buffer; status?: number; opaque?: number }): Buffer {
  const key = b(opts.key ?? '');
  const ext = opts.extras ?? Buffer.alloc(0);
  const val = opts.value ?? Buffer.alloc(0);
  const h = Buffer.alloc(24);
  h[0] = magic;
  h[1] = op;
  h.writeUInt16BE(key.length, 2);
  h[4] = ext.length;
  h.writeUInt16BE(opts.status ?? 0, 6);
  h.writeUInt32BE(ext.length + key.length + val.length, 8);
  h.writeUInt32BE(opts.opaque ?? 0, 12);
  return Buffer.concat([h, ext, key, val]);
}

test('binary protocol: header fields, extras, counters, errors, split at every byte offset', () => {
  const incrExt = Buffer.alloc(20);
  incrExt.writeBigUInt64BE(5n, 0);
  incrExt.writeBigUInt64BE(100n, 8);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(105n);
  const reqs = Buffer.concat([
    binMsg(0x80, 0x01, { key: 'k', extras: Buffer.alloc(8), value: b('value'), opaque: 1 }),
    binMsg(0x80, 0x05, { key: 'n', extras: incrExt, opaque: 2 }),
    binMsg(0x80, 0x0d, { key: 'q', opaque: 3 }),
    binMsg(0x80, 0x21, { key: 'PLAIN', value: b('\0user\0secret'), opaque: 4 }),
    binMsg(0x80, 0x0a, { opaque: 5 }),
  ]);
  const resps = Buffer.concat([
    binMsg(0x81, 0x01, { opaque: 1 }),
    binMsg(0x81, 0x05, { value: counter, opaque: 2 }),
    binMsg(0x81, 0x00, { value: b('Not found'), status: 1, opaque: 9 }),
    binMsg(0x81, 0x10, { key: 'pid', value: b('42'), opaque: 6 }),
    binMsg(0x81, 0x0b, { value: b('1.6.18'), opaque: 7 }),
  ]);
  const r = parse(true, [reqs]).msgs;
  assert.deepEqual(r.map((m) => m.command), ['set', 'increment', 'getkq', 'sasl_auth', 'noop']);
  assert.deepEqual([r[0]!.values, r[0]!.valueBytes, r[0]!.opaque], [['value'], 5, 1]);
  assert.deepEqual([r[1]!.delta, r[1]!.initial], ['5', '100']);
  assert.equal(r[2]!.quiet, true);
  assert.deepEqual(r[3]!.values, [], 'SASL credentials are never kept');
  const s = parse(false, [resps]).msgs;
  assert.deepEqual([s[1]!.counter, s[2]!.status, s[2]!.errorMsg, s[3]!.stats, s[4]!.version], ['105', 1, 'Not found', [{ name: 'pid', value: '42' }], '1.6.18']);
  for (const [req, buf] of [[true, reqs], [false, resps]] as const) {
    const want = parse(req, [buf]).msgs.map(summary);
    for (let cut = 1; cut < buf.length; cut++) {
      const { msgs, s: st } = parse(req, [buf.subarray(0, cut), buf.subarray(cut)]);
      assert.equal(st.error, undefined);
      assert.deepEqual(msgs.map(summary), want, `cut ${cut}`);
    }
  }
});

test('declared sizes of gigabytes allocate nothing; values are cut at maxbytespervalue', () => {
  const t = new McStream(true, { maxValues: -1, maxBytesPerValue: 4 }, false);
  assert.deepEqual(t.feed(b('set big 0 0 4000000000\r\n'), 0), []);
  const mb = Buffer.alloc(1 << 20, 0x41);
  for (let i = 0; i < 4; i++) assert.deepEqual(t.feed(mb, 0), []);
  assert.equal(t.error, undefined);
  const h = Buffer.alloc(24);
  h[0] = 0x81;
  h.writeUInt32BE(0xffffffff, 8);
  const bin = new McStream(false, { maxValues: -1, maxBytesPerValue: 4 }, false);
  bin.feed(h, 0);
  for (let i = 0; i < 4; i++) bin.feed(mb, 0);
  assert.equal(bin.error, undefined);
  const v = new McStream(false, { maxValues: 1, maxBytesPerValue: 4 }, false).feed(b('VALUE a 0 6\r\nabcdef\r\nVALUE b 0 1\r\nx\r\nEND\r\n'), 0);
  assert.deepEqual([v[0]!.values, v[0]!.countValues, v[0]!.valueBytes], [['abcd'], 2, 7]);
});

test('garbage is a parse error, never an exception; reset recovers', () => {
  for (const [req, bad] of [[true, '\x01\x02\r\n'], [false, 'what is this\r\n'], [false, 'VALUE a 0 x\r\n'], [true, 'set k 0 0 -1\r\n']] as const) {
    const s = new McStream(req, LIMITS, false);
    s.feed(b(bad), 0);
    assert.notEqual(s.error, undefined, bad);
    s.reset();
    assert.equal(s.feed(b(req ? 'version\r\n' : 'STORED\r\n'), 0).length, 1);
  }
  const bin = new McStream(false, LIMITS, false);
  bin.feed(Buffer.from([0x81, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
  assert.equal(bin.error, 'bad lengths');
});

test('fuzz: random and bit-flipped text and binary streams never throw and always terminate', () => {
  const rnd = seededRandom(11);
  const bases = [b(TEXT_REQ), b(TEXT_RESP), binMsg(0x80, 1, { key: 'k', extras: Buffer.alloc(8), value: b('v') }), binMsg(0x81, 0, { value: b('xyz') })];
  for (let round = 0; round < 2000; round++) {
    const base = bases[round % bases.length]!;
    const buf = Buffer.from(base);
    if (round % 3 !== 2)
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const j = Math.floor(rnd() * buf.length);
        buf[j] = buf[j]! ^ (1 << Math.floor(rnd() * 8));
      }
    else for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
    for (const req of [true, false]) {
      const s = new McStream(req, LIMITS, round % 2 === 0);
      for (let pos = 0; pos < buf.length; ) {
        const n = 1 + Math.floor(rnd() * 20);
        s.feed(buf.subarray(pos, pos + n), 0);
        if (s.error !== undefined) s.reset();
        pos += n;
      }
    }
  }
});
