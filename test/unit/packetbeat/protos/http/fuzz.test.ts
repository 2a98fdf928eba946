import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import type { Direction, TcpConnection } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { HttpProtocol, MAX_PENDING_REQUESTS, createHttpProtocol, type HttpConnState } from '../../../../../src/beats/packetbeat/protos/http/index.js';
import { seededRandom } from '../../../../support/random.js';

const CONN: TcpConnection = { id: 1, client: { ip: '127.0.0.1', port: 50000 }, server: { ip: '127.0.0.1', port: 80 } };

/** A conversation mixing every framing, as (direction, segment) pairs. */
function conversation(): Array<[Direction, Buffer]> {
  const s: Array<[Direction, string]> = [
    [0, 'GET /a?x=1 HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\n\r\n'],
    [1, 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\n0123456789'],
    [0, 'POST /f HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nuser=a&pw=b'],
    [1, 'HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n'],
    [0, 'HEAD /h HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n'],
    [1, 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\nT: 1\r\n\r\n'],
    [0, 'PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n'],
    [1, 'HTTP/1.1 100 Continue\r\n\r\n'],
    [0, 'xyz'],
    [1, 'HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\n:('],
    [0, 'GET /old HTTP/1.0\r\n\r\n'],
    [1, 'HTTP/1.0 200 OK\r\n\r\nuntil the end'],
  ];
  return s.map(([d, t]) => [d, Buffer.from(t, 'latin1')]);
}

function protocol(events: { n: number }): HttpProtocol {
  return createHttpProtocol(new ConfigNode({ send_request: true, send_response: true, include_body_for: ['text'], send_all_headers: true, split_cookie: true, hide_keywords: ['pw'] }), {
    report: () => void events.n++,
    log: nopLogger,
    now: () => 0,
  }) as HttpProtocol;
}

describe('HTTP protocol under hostile streams', () => {
  it('publishes every exchange of the clean conversation', () => {
    const events = { n: 0 };
    const p = protocol(events);
    let st: HttpConnState | undefined;
    for (const [d, b] of conversation()) st = p.parse({ ts: 0, payload: b }, CONN, d, st);
    st = p.receivedFin(CONN, 1, st);
    p.connectionClosed(CONN, st);
    assert.equal(events.n, 6);
  });

  it('survives bit flips, lost segments (as gaps), duplicates, reordering and truncation (seeded)', () => {
    const seed = 0xf022;
    const rnd = seededRandom(seed);
    const base = conversation();
    for (let round = 0; round < 1500; round++) {
      const events = { n: 0 };
      const p = protocol(events);
      let st: HttpConnState | undefined;
      const segs = base.map(([d, b]) => [d, Buffer.from(b)] as [Direction, Buffer]);
      if (round % 5 === 0) segs.sort(() => rnd() - 0.5);
      try {
        for (const [d, b] of segs) {
          const r = rnd();
          if (r < 0.1) {
            const g = p.gapInStream(CONN, d, b.length, st);
            st = g.drop ? undefined : g.state;
            continue;
          }
          if (r < 0.4) {
            for (let k = 0; k < 3; k++) {
              const at = Math.floor(rnd() * b.length);
              b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
            }
          }
          const piece = r > 0.9 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
          st = p.parse({ ts: round, payload: piece }, CONN, d, st);
          if (r > 0.95) st = p.parse({ ts: round, payload: piece }, CONN, d, st);
        }
        if (rnd() < 0.5) st = p.receivedFin(CONN, 1, st);
        p.expire(round + 20_000);
        p.connectionClosed(CONN, st);
      } catch (e) {
        assert.fail(`seed ${seed} round ${round}: ${String(e)}`);
      }
      assert.ok(events.n <= 40, `round ${round}: ${events.n} events`);
    }
  });

  it('keeps memory flat on an endless stream of garbage and of unanswered requests', () => {
    const rnd = seededRandom(7);
    const events = { n: 0 };
    const p = protocol(events);
    let st: HttpConnState | undefined;
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)));
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20_000; i++) {
      st = p.parse({ ts: i, payload: i % 2 === 0 ? garbage : request }, CONN, (i % 4 === 0 ? 1 : 0) as Direction, st);
    }
    assert.ok((st?.pending.length ?? 0) <= MAX_PENDING_REQUESTS);
    gc?.();
    const grown = (process.memoryUsage().heapUsed - before) / 1048576;
    assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MB`);
    p.connectionClosed(CONN, st);
  });
});
