import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/beats/filebeat/harvester/line-splitter.js';
import { textEncoding } from '../../../src/beats/filebeat/harvester/encoding.js';

interface Got {
  text: string;
  offset: number;
  next: number;
  truncated: boolean;
}

function split(data: Buffer, chunks: number[], maxBytes = 1 << 20, enc = 'utf-8', start = 0): { lines: Got[]; pending: number } {
  const e = textEncoding(enc)!;
  const s = new LineSplitter({ newline: e.newline, carriageReturn: e.carriageReturn, maxBytes }, start);
  const lines: Got[] = [];
  const sink = (b: Buffer, st: number, en: number, off: number, next: number, tr: boolean): boolean => {
    lines.push({ text: e.decode(b, st, en), offset: off, next, truncated: tr });
    // Pause after every third line, as the harvester does when the pipeline is full, and resume at once.
    return lines.length % 3 !== 0;
  };
  let pos = 0;
  for (const c of [...chunks, data.length]) {
    const end = Math.min(data.length, c);
    if (end <= pos) continue;
    // Feed through a scratch buffer that is overwritten afterwards, as the harvester's reused read buffer is.
    const scratch = Buffer.from(data.subarray(pos, end));
    let at = 0;
    while ((at = s.push(scratch, at, scratch.length, sink)) >= 0);
    scratch.fill(0x58);
    pos = end;
  }
  return { lines, pending: s.pendingOffset };
}

describe('LineSplitter', () => {
  it('splits lines, strips \\r\\n, reports offsets, keeps a partial line pending', () => {
    const data = Buffer.from('alpha\r\nbeta\n\ngamma\r\ntail');
    const { lines, pending } = split(data, []);
    assert.deepEqual(lines.map((l) => l.text), ['alpha', 'beta', '', 'gamma']);
    assert.deepEqual(lines.map((l) => l.offset), [0, 7, 12, 13]);
    assert.deepEqual(lines.map((l) => l.next), [7, 12, 13, 20]);
    assert.equal(pending, 20);
  });

  it('gives the same lines for every split position of the input (two chunks)', () => {
    const data = Buffer.from('one\r\ntwo\nthree three\r\n\r\nfour\n€uro ünïcode\nlast\n');
    const whole = split(data, []).lines;
    for (let i = 0; i <= data.length; i++) {
      assert.deepEqual(split(data, [i]).lines, whole, `split at ${i}`);
    }
    // and one byte at a time
    assert.deepEqual(split(data, Array.from({ length: data.length }, (_, i) => i)).lines, whole);
  });

  it('assembles lines longer than a chunk and cuts them at max_bytes, skipping the rest', () => {
    const long = 'x'.repeat(50_000);
    const data = Buffer.from(`short\n${long}\nafter\n`);
    const chunks = Array.from({ length: 20 }, (_, i) => (i + 1) * 4096);
    const full = split(data, chunks);
    assert.deepEqual(full.lines.map((l) => l.text.length), [5, 50_000, 5]);
    const cut = split(data, chunks, 1000);
    assert.deepEqual(cut.lines.map((l) => l.text), ['short', 'x'.repeat(1000), 'after']);
    assert.deepEqual(cut.lines.map((l) => l.truncated), [false, true, false]);
    assert.equal(cut.lines[2]!.offset, 6 + 50_001, 'offsets count the skipped bytes');
    // cut inside a single chunk too
    const one = split(data, [], 10);
    assert.equal(one.lines[1]!.text, 'x'.repeat(10));
    assert.equal(one.lines[1]!.truncated, true);
  });

  it('starts counting at the given offset', () => {
    const { lines } = split(Buffer.from('a\nb\n'), [], 100, 'utf-8', 1000);
    assert.deepEqual(lines.map((l) => [l.offset, l.next]), [[1000, 1002], [1002, 1004]]);
  });

  it('splits UTF-16LE and UTF-16BE on aligned newlines only', () => {
    // U+0A0A is "\n\n" bytes but not a newline in UTF-16.
    const text = 'first \u0a0a line\r\nsecond\n';
    for (const [enc, buf] of [
      ['utf-16le', Buffer.from(text, 'utf16le')],
      ['utf-16be', Buffer.from(text, 'utf16le').swap16()],
    ] as const) {
      for (let i = 0; i <= buf.length; i++) {
        const { lines } = split(buf, [i], 1 << 20, enc);
        assert.deepEqual(lines.map((l) => l.text), ['first \u0a0a line', 'second'], `${enc} split at ${i}`);
      }
    }
  });
});
