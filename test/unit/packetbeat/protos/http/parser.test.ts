import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpParser, MAX_LINE_BYTES, type BodyPolicy } from '../../../../../src/beats/packetbeat/protos/http/parser.js';
import { bodyOf, headerValue, type HttpMessage } from '../../../../../src/beats/packetbeat/protos/http/message.js';
import { seededRandom } from '../../../../support/random.js';

const keepAll: BodyPolicy = { noBody: () => false, keepBody: () => 1 << 20 };

function parseAll(isRequest: boolean, chunks: Buffer[], policy: BodyPolicy = keepAll, fin = false): HttpMessage[] {
  const p = new HttpParser(isRequest);
  const out: HttpMessage[] = [];
  chunks.forEach((c, i) => p.feed(c, i, policy, out));
  if (fin) p.fin(chunks.length, out);
  return out;
}

const REQUESTS = Buffer.from(
  'GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n' +
    'POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello' +
    'PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n' +
    'DELETE /d HTTP/1.0\nX-Folded: a\n  b\n\n',
);

const RESPONSES = Buffer.from(
  'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody' +
    'HTTP/1.1 204 No Content\r\n\r\n' +
    'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: gzip, chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n' +
    'HTTP/1.0 500 Internal Server Error\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nuntil close',
);

function checkRequests(out: HttpMessage[]): void {
  assert.deepEqual(
    out.map((m) => [m.method, m.uri, m.version]),
    [
      ['GET', '/a?x=1', '1.1'],
      ['POST', '/b', '1.1'],
      ['PUT', '/c', '1.1'],
      ['DELETE', '/d', '1.0'],
    ],
  );
  const [get, post, put, del] = out as [HttpMessage, HttpMessage, HttpMessage, HttpMessage];
  assert.equal(get.bodyBytes, 0);
  assert.equal(bodyOf(post).toString(), 'hello');
  assert.equal(post.contentLength, 5);
  assert.equal(put.chunked, true);
  assert.equal(bodyOf(put).toString(), 'abcde');
  assert.equal(put.bodyBytes, 5);
  assert.equal(headerValue(put, 'x-trailer'), 't');
  assert.equal(headerValue(del, 'x-folded'), 'a b');
  assert.equal(out.reduce((n, m) => n + m.size, 0), REQUESTS.length);
}

function checkResponses(out: HttpMessage[]): void {
  assert.deepEqual(
    out.map((m) => [m.code, m.phrase, m.bodyBytes]),
    [
      [100, 'Continue', 0],
      [200, 'OK', 4],
      [204, 'No Content', 0],
      [404, 'Not Found', 10],
      [500, 'Internal Server Error', 11],
    ],
  );
  assert.equal(out[1]?.contentType, 'text/plain');
  assert.equal(headerValue(out[4] as HttpMessage, 'set-cookie'), 'a=1, b=2');
  assert.equal(out.reduce((n, m) => n + m.size, 0), RESPONSES.length);
}

describe('HTTP parser', () => {
  it('parses pipelined requests: lengths, chunked bodies with extensions and trailers, bare LF, folding', () => {
    checkRequests(parseAll(true, [REQUESTS]));
  });

  it('parses responses: interim 1xx, 204, chunked, body delimited by connection close', () => {
    const p = new HttpParser(false);
    const out: HttpMessage[] = [];
    p.feed(RESPONSES, 1, keepAll, out);
    assert.equal(out.length, 4, 'the close-delimited body is not complete before FIN');
    assert.equal(p.inMessage, true);
    p.fin(2, out);
    checkResponses(out);
    assert.equal(out[4]?.endTs, 2);
  });

  it('gives the same messages whatever the segment boundaries (every split point, and byte by byte)', () => {
    for (let i = 0; i <= REQUESTS.length; i++) {
      checkRequests(parseAll(true, [REQUESTS.subarray(0, i), REQUESTS.subarray(i)]));
    }
    for (let i = 0; i <= RESPONSES.length; i++) {
      checkResponses(parseAll(false, [RESPONSES.subarray(0, i), RESPONSES.subarray(i)], keepAll, true));
    }
    const bytes = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]));
    checkRequests(parseAll(true, bytes(REQUESTS)));
    checkResponses(parseAll(false, bytes(RESPONSES), keepAll, true));
  });

  it('records the capture time of the first and the last byte', () => {
    const out = parseAll(true, [Buffer.from('GET / HT'), Buffer.from('TP/1.1\r\n'), Buffer.from('\r\n')]);
    assert.equal(out[0]?.startTs, 0);
    assert.equal(out[0]?.endTs, 2);
  });

  it('reads no body for a response the policy marks (answer to HEAD)', () => {
    const head: BodyPolicy = { noBody: () => true, keepBody: () => 0 };
    const out = parseAll(false, [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 178\r\n\r\nHTTP/1.1 200 OK\r\n\r\n')], head);
    assert.equal(out.length, 2);
    assert.equal(out[0]?.contentLength, 178);
    assert.equal(out[0]?.bodyBytes, 0);
  });

  it('keeps no body unless asked, and caps what it keeps', () => {
    const msg = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789');
    const none = parseAll(false, [msg], { noBody: () => false, keepBody: () => 0 });
    assert.equal(none[0]?.body, undefined);
    assert.equal(none[0]?.bodyBytes, 10);
    const four = parseAll(false, [msg.subarray(0, 45), msg.subarray(45)], { noBody: () => false, keepBody: () => 4 });
    assert.equal(bodyOf(four[0] as HttpMessage).toString(), '0123');
  });

  it('skips garbage before a start line and resynchronises', () => {
    const out = parseAll(true, [Buffer.from('\x16\x03\x01junk\r\nnot http\r\n\r\nGET /ok HTTP/1.1\r\n\r\n')]);
    assert.deepEqual(
      out.map((m) => m.uri),
      ['/ok'],
    );
  });

  it('survives a gap inside a body of known length, with a note', () => {
    const p = new HttpParser(false);
    const out: HttpMessage[] = [];
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012'), 0, keepAll, out);
    assert.equal(p.gap(4, out), true);
    p.feed(Buffer.from('789HTTP/1.1 304 Not Modified\r\n\r\n'), 1, keepAll, out);
    assert.equal(out.length, 2);
    assert.equal(out[0]?.bodyBytes, 10);
    assert.match(out[0]?.notes.join() ?? '', /Packet loss/);
    assert.equal(out[1]?.code, 304);
  });

  it('publishes a message whose body was cut by a gap it cannot bridge, then resynchronises', () => {
    const p = new HttpParser(false);
    const out: HttpMessage[] = [];
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012'), 0, keepAll, out);
    assert.equal(p.gap(100, out), false);
    assert.equal(out.length, 1);
    p.feed(Buffer.from('tail of something\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), 1, keepAll, out);
    assert.deepEqual(
      out.map((m) => m.code),
      [200, 404],
    );
  });

  it('publishes a message cut by a gap in its headers, and drops an endless line keeping memory bounded', () => {
    const p = new HttpParser(true);
    const out: HttpMessage[] = [];
    p.feed(Buffer.from('GET /cut HTTP/1.1\r\nHost: a'), 0, keepAll, out);
    assert.equal(p.gap(10, out), false);
    assert.equal(out.length, 1);
    assert.match(out[0]?.notes.join() ?? '', /Packet loss/);
    assert.equal(p.inMessage, false);
    out.length = 0;
    p.feed(Buffer.alloc(MAX_LINE_BYTES * 2, 0x41), 1, keepAll, out);
    p.feed(Buffer.from('\r\nGET /next HTTP/1.1\r\n\r\n'), 2, keepAll, out);
    assert.deepEqual(
      out.map((m) => m.uri),
      ['/next'],
    );
  });

  it('collects a long line sent one byte per segment in linear time', () => {
    const value = 'v'.repeat(MAX_LINE_BYTES - 100);
    const msg = Buffer.from(`GET / HTTP/1.1\r\nX-Long: ${value}\r\n\r\n`);
    const t0 = Date.now();
    const out = parseAll(true, [...msg].map((x) => Buffer.from([x])));
    assert.equal(headerValue(out[0] as HttpMessage, 'x-long'), value);
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
    const tooLong = parseAll(true, [Buffer.from('GET / HTTP/1.1\r\nX: '), ...Array.from({ length: 40 }, () => Buffer.alloc(1000, 0x61)), Buffer.from('\r\n\r\nGET /after HTTP/1.1\r\n\r\n')]);
    assert.deepEqual(
      tooLong.map((m) => m.uri),
      ['/after'],
    );
  });

  it('marks a message cut by FIN', () => {
    const out = parseAll(false, [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01')], keepAll, true);
    assert.equal(out.length, 1);
    assert.match(out[0]?.notes.join() ?? '', /truncated/);
  });

  it('never throws or loops on random, truncated and bit-flipped input (seeded fuzz)', () => {
    const seed = 0x5eed;
    const rnd = seededRandom(seed);
    const corpus = [REQUESTS, RESPONSES];
    const t0 = Date.now();
    for (let round = 0; round < 3000; round++) {
      const base = corpus[round % 2] as Buffer;
      const b = Buffer.from(base);
      const mode = round % 3;
      if (mode === 0) for (let k = 0; k < 1 + rnd() * 8; k++) {
          const at = Math.floor(rnd() * b.length);
          b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
        }
      const data = mode === 1 ? Buffer.from(Array.from({ length: 200 }, () => Math.floor(rnd() * 256))) : b;
      const cut = mode === 2 ? data.subarray(0, Math.floor(rnd() * data.length)) : data;
      const p = new HttpParser(round % 2 === 0);
      const out: HttpMessage[] = [];
      let pos = 0;
      try {
        while (pos < cut.length) {
          const n = 1 + Math.floor(rnd() * 40);
          p.feed(cut.subarray(pos, pos + n), pos, keepAll, out);
          pos += n;
          if (rnd() < 0.02) p.gap(Math.floor(rnd() * 50), out);
        }
        p.fin(pos, out);
      } catch (e) {
        assert.fail(`seed ${seed} round ${round}: ${String(e)}`);
      }
      for (const m of out) assert.ok(m.size >= 0 && m.bodyBytes >= 0);
    }
    assert.ok(Date.now() - t0 < 10_000);
  });
});
