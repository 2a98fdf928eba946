import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { textEncoding } from '../../../src/beats/filebeat/harvester/encoding.js';
import { MultilineAggregator, type Message } from '../../../src/beats/filebeat/harvester/multiline.js';
import { translatePosixClasses } from '../../../src/beats/filebeat/config.js';

describe('encodings', () => {
  it('replaces invalid bytes with U+FFFD instead of failing', () => {
    const bad = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x62]);
    for (const name of ['plain', 'utf-8', 'shift-jis', 'euc-kr', 'gbk', 'big5', 'utf-16le', 'utf-16be']) {
      const e = textEncoding(name);
      assert.ok(e, name);
      const s = e.decode(bad, 0, bad.length);
      assert.equal(typeof s, 'string', name);
    }
    assert.equal(textEncoding('utf-8')!.decode(bad, 0, bad.length), 'a\ufffd\ufffd\ufffd(b');
  });

  it('decodes latin1, shift-jis and utf-16be text', () => {
    assert.equal(textEncoding('latin1')!.decode(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 0, 4), 'café');
    const sj = iconv.encode('ログ行', 'shift_jis');
    assert.equal(textEncoding('shift-jis')!.decode(sj, 0, sj.length), 'ログ行');
    const be = Buffer.from('héllo', 'utf16le').swap16();
    assert.equal(textEncoding('utf-16be')!.decode(be, 0, be.length), 'héllo');
  });

  it('rejects unknown encodings', () => {
    assert.equal(textEncoding('klingon'), undefined);
  });
});

function lines(texts: string[]): Message[] {
  let off = 0;
  return texts.map((text) => {
    const m = { text, offset: off, end: off + text.length + 1, lines: 1, truncated: false };
    off = m.end;
    return m;
  });
}

function run(opts: Partial<ConstructorParameters<typeof MultilineAggregator>[0]>, input: string[], flushAtEnd = true): Message[] {
  const agg = new MultilineAggregator({ pattern: /^\s/, negate: false, match: 'after', maxLines: 500, maxChars: 1 << 20, timeoutMs: 5000, ...opts });
  const out: Message[] = [];
  for (const m of lines(input)) agg.push(m, 0, (x) => out.push(x));
  if (flushAtEnd) agg.flush((x) => out.push(x));
  return out;
}

describe('multiline', () => {
  it('match after: indented lines join the line before (Java stack traces)', () => {
    const out = run({ pattern: new RegExp(translatePosixClasses('^[[:space:]]')) }, ['Exception in main', '  at a()', '  at b()', 'next event', 'last']);
    assert.deepEqual(out.map((m) => m.text), ['Exception in main\n  at a()\n  at b()', 'next event', 'last']);
    assert.deepEqual(out.map((m) => [m.offset, m.end]), [[0, 36], [36, 47], [47, 52]]);
    assert.equal(out[0]!.lines, 3);
  });

  it('negate + match after: lines not starting with a date join the previous event', () => {
    const out = run({ pattern: /^\d{4}-/, negate: true }, ['2016-01-01 start', 'more', 'more2', '2016-01-02 second']);
    assert.deepEqual(out.map((m) => m.text), ['2016-01-01 start\nmore\nmore2', '2016-01-02 second']);
  });

  it('match before: lines ending with a backslash continue into the next', () => {
    const out = run({ pattern: /\\$/, match: 'before' }, ['a \\', 'b \\', 'c', 'd'], false);
    assert.deepEqual(out.map((m) => m.text), ['a \\\nb \\\nc', 'd']);
  });

  it('max_lines drops further lines but consumes them; timeout flushes a pending event', () => {
    const out = run({ maxLines: 2 }, ['head', ' 1', ' 2', ' 3', 'tail']);
    assert.equal(out[0]!.text, 'head\n 1');
    assert.equal(out[0]!.truncated, true);
    assert.equal(out[0]!.end, lines(['head', ' 1', ' 2', ' 3'])[3]!.end);
    const agg = new MultilineAggregator({ pattern: /^\s/, negate: false, match: 'after', maxLines: 10, maxChars: 100, timeoutMs: 100 });
    const got: Message[] = [];
    agg.push(lines(['x'])[0]!, 1000, (m) => got.push(m));
    agg.flushIfIdle(1050, (m) => got.push(m));
    assert.equal(got.length, 0);
    agg.flushIfIdle(1100, (m) => got.push(m));
    assert.deepEqual(got.map((m) => m.text), ['x']);
  });
});
