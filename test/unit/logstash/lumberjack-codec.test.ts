import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { FrameDecoder } from '../../../src/libbeat/lumberjack/decoder.js';
import {
  encodeAck,
  encodeCompressed,
  encodeCompressedAsync,
  encodeData,
  encodeEventFrames,
  encodeJson,
  encodeJsonFrames,
  encodeWindow,
} from '../../../src/libbeat/lumberjack/encoder.js';
import type { Frame } from '../../../src/libbeat/lumberjack/frames.js';
import { encodeEvent } from '../../../src/libbeat/outputs/codec/json.js';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';
import { seededRandom } from '../../support/random.js';

/** Frames made comparable: Buffers as strings. */
function plain(frames: Frame[]): unknown[] {
  return frames.map((f) => {
    if (f.kind === 'json' || f.kind === 'compressed') return { ...f, payload: f.payload.toString('latin1') };
    if (f.kind === 'data') return { ...f, fields: { ...f.fields } };
    return f;
  });
}

function decodeAll(chunks: Buffer[], dec = new FrameDecoder()): Frame[] {
  const out: Frame[] = [];
  for (const c of chunks) out.push(...dec.push(c));
  assert.equal(dec.error, undefined, `decoder error: ${dec.error}`);
  return out;
}

const docs = ['{"message":"héllo"}', '{"n":2}', '{"a":{"b":[1,2,3]},"msg":"ü€😀"}'];

/** A stream with every frame type: a v2 window sent compressed, an uncompressed one, a v1 window, ACKs. */
function sampleStream(): { bytes: Buffer; expected: unknown[] } {
  const bytes = Buffer.concat([
    encodeWindow(3),
    encodeCompressed(encodeJsonFrames(docs), 3),
    encodeWindow(1),
    encodeJson(1, '{"plain":true}'),
    encodeWindow(2, 1),
    encodeData(1, { line: 'a log line', file: '/var/log/x.log', host: 'h1' }),
    encodeData(2, { line: '', 'ké': 'välue' }),
    encodeAck(2, 1),
    encodeAck(4_000_000_000),
  ]);
  const expected = plain([
    { kind: 'window', version: 2, size: 3 },
    ...docs.map((d, i): Frame => ({ kind: 'json', version: 2, seq: i + 1, payload: Buffer.from(d) })),
    { kind: 'window', version: 2, size: 1 },
    { kind: 'json', version: 2, seq: 1, payload: Buffer.from('{"plain":true}') },
    { kind: 'window', version: 1, size: 2 },
    { kind: 'data', version: 1, seq: 1, fields: { line: 'a log line', file: '/var/log/x.log', host: 'h1' } },
    { kind: 'data', version: 1, seq: 2, fields: { line: '', 'ké': 'välue' } },
    { kind: 'ack', version: 1, seq: 2 },
    { kind: 'ack', version: 2, seq: 4_000_000_000 },
  ]);
  return { bytes, expected };
}

describe('lumberjack codec', () => {
  it('encodes the exact v2 bytes of the beats protocol', () => {
    assert.deepEqual([...encodeWindow(10)], [0x32, 0x57, 0, 0, 0, 10]);
    assert.deepEqual([...encodeAck(258)], [0x32, 0x41, 0, 0, 1, 2]);
    assert.deepEqual([...encodeJson(7, '{}')], [0x32, 0x4a, 0, 0, 0, 7, 0, 0, 0, 2, 0x7b, 0x7d]);
    assert.deepEqual([...encodeData(1, { k: 'v' })], [0x31, 0x44, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x6b, 0, 0, 0, 1, 0x76]);
    // A run of J frames is the same bytes as the frames one by one; the length counts UTF-8 bytes.
    assert.deepEqual(encodeJsonFrames(docs, 5), Buffer.concat(docs.map((d, i) => encodeJson(5 + i, d))));
    assert.equal(encodeJson(1, '€').readUInt32BE(6), 3);
  });

  it('decodes a stream with every frame type in one piece', () => {
    const { bytes, expected } = sampleStream();
    assert.deepEqual(plain(decodeAll([bytes])), expected);
  });

  it('decodes the same frames at every split offset', () => {
    const { bytes, expected } = sampleStream();
    for (let i = 0; i <= bytes.length; i++) {
      const got = plain(decodeAll([bytes.subarray(0, i), bytes.subarray(i)]));
      assert.deepEqual(got, expected, `split at ${i}`);
    }
  });

  it('decodes the same frames at every pair of split offsets and byte by byte', () => {
    const { bytes, expected } = sampleStream();
    const step = 3;
    for (let i = 0; i <= bytes.length; i += step) {
      for (let j = i; j <= bytes.length; j += step) {
        const got = plain(decodeAll([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]));
        assert.deepEqual(got, expected, `split at ${i} and ${j}`);
      }
    }
    const bytewise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(plain(decodeAll(bytewise)), expected);
  });

  it('writes event frames byte for byte as encodeEvent + encodeJsonFrames would', () => {
    const t = new Date(Date.UTC(2026, 11, 2, 3, 4, 5, 678));
    const events: BeatEvent[] = [
      { timestamp: t, fields: { type: 'log', message: 'plain', n: 1 } },
      { timestamp: t, fields: {} },
      { timestamp: new Date(t.getTime() + 1), fields: { message: 'ünïcödé € 😀', nested: { a: [1, 'x', null], b: true } } },
      { timestamp: new Date(0), fields: { '': '', 'quote"key': 'line\nbreak\u0000' } },
      { timestamp: t, fields: { type: 'nginx' } },
    ];
    const extra = (e: BeatEvent): string => (e.fields['type'] === 'nginx' ? '' : `"@metadata":{"beat":"idx-ü","type":"${String(e.fields['type'] ?? 'log')}"}`);
    const expected = encodeJsonFrames(events.map((e) => encodeEvent(e, extra(e))));
    assert.deepEqual(encodeEventFrames(events, 0, events.length, extra), expected);
    // A window from the middle of a batch is numbered from 1.
    assert.deepEqual(encodeEventFrames(events, 2, 2, extra), encodeJsonFrames(events.slice(2, 4).map((e) => encodeEvent(e, extra(e)))));
    for (const f of decodeAll([expected])) if (f.kind === 'json') JSON.parse(f.payload.toString());
    // Many documents of 3-byte characters: more than the ASCII-sized buffer holds, so it grows on the way.
    const wide: BeatEvent[] = Array.from({ length: 50 }, (_, i) => ({ timestamp: t, fields: { n: i, m: '€'.repeat(500 + i) } }));
    assert.deepEqual(encodeEventFrames(wide, 0, wide.length, extra), encodeJsonFrames(wide.map((e) => encodeEvent(e, extra(e)))));
  });

  it('can report compressed frames without inflating them', () => {
    const inner = encodeJsonFrames(docs);
    const frames = decodeAll([encodeCompressed(inner, 1)], new FrameDecoder({ inflate: false }));
    assert.equal(frames.length, 1);
    const f = frames[0]!;
    assert.equal(f.kind, 'compressed');
    assert.ok(f.kind === 'compressed' && inflateSync(f.payload).equals(inner));
  });

  it('async compression produces a frame the decoder reads', async () => {
    const parts = await encodeCompressedAsync(encodeJsonFrames(docs), 9);
    const got = plain(decodeAll(parts));
    assert.deepEqual(got, plain(docs.map((d, i): Frame => ({ kind: 'json', version: 2, seq: i + 1, payload: Buffer.from(d) }))));
  });

  it('stops with an error, without throwing, on protocol violations', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['unknown version', Buffer.from('3W\0\0\0\x01'), /unknown protocol version '3'/],
      ['unknown type', Buffer.from('2Z\0\0\0\x01'), /unknown frame type 'Z'/],
      ['huge JSON frame', Buffer.from([0x32, 0x4a, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), /exceeds the limit/],
      ['huge compressed frame', Buffer.from([0x32, 0x43, 0xff, 0xff, 0xff, 0xff]), /exceeds the limit/],
      ['absurd pair count', Buffer.from([0x31, 0x44, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), /pairs/],
      ['corrupt zlib', Buffer.concat([Buffer.from([0x32, 0x43, 0, 0, 0, 4]), Buffer.from('nope')]), /cannot inflate/],
      ['truncated inner frame', encodeCompressed(encodeJson(1, '{"x":1}').subarray(0, 12), 3), /truncated frame inside/],
      ['nested compression', encodeCompressed(encodeCompressed(encodeJson(1, '{}'), 3), 3), /nested/],
      ['garbage inside compression', Buffer.concat([Buffer.from([0x32, 0x43]), (() => { const z = deflateSync(Buffer.from('xx')); const h = Buffer.alloc(4); h.writeUInt32BE(z.length); return Buffer.concat([h, z]); })()]), /inside compressed frame: unknown protocol version/],
    ];
    for (const [name, bytes, re] of cases) {
      const dec = new FrameDecoder();
      assert.deepEqual(dec.push(bytes), [], name);
      assert.match(dec.error ?? '', re, name);
      assert.deepEqual(dec.push(encodeWindow(1)), [], `${name}: stays stopped`);
    }
    const sender = new FrameDecoder({ accept: ['ack'] });
    sender.push(encodeWindow(1));
    assert.match(sender.error ?? '', /unexpected window frame/);
  });

  it('never throws on random bytes or on corrupted valid streams', () => {
    const seed = 20261202;
    const rnd = seededRandom(seed);
    const { bytes } = sampleStream();
    for (let round = 0; round < 2000; round++) {
      const buf = round % 2 === 0 ? Buffer.from(bytes) : Buffer.alloc(1 + Math.floor(rnd() * 64));
      if (round % 2 === 0) for (let k = 0; k < 3; k++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      else for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
      const dec = new FrameDecoder({ maxFrameBytes: 1 << 20 });
      try {
        let off = 0;
        while (off < buf.length) {
          const n = 1 + Math.floor(rnd() * 16);
          dec.push(buf.subarray(off, off + n));
          off += n;
        }
      } catch (err) {
        assert.fail(`seed ${seed} round ${round}: threw ${String(err)}`);
      }
    }
  });

  it('keeps a large compressed frame arriving in many reads without re-copying per read', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `{"n":${i},"message":"${'x'.repeat(50)}"}`);
    const bytes = Buffer.concat([encodeWindow(many.length), encodeCompressed(encodeJsonFrames(many), 0 + 1)]);
    const dec = new FrameDecoder();
    const out: Frame[] = [];
    for (let off = 0; off < bytes.length; off += 1000) {
      out.push(...dec.push(bytes.subarray(off, off + 1000)));
      if (off + 1000 < bytes.length) assert.ok(out.length <= 1, 'no data frame before the compressed frame is complete');
    }
    assert.equal(out.length, 1 + many.length);
    assert.equal(dec.buffered, 0);
    const last = out[out.length - 1]!;
    assert.ok(last.kind === 'json' && last.seq === 5000 && JSON.parse(last.payload.toString()).n === 4999);
  });
});
