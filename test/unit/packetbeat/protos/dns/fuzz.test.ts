import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import type { Direction, TcpConnection } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { DnsProtocol, MAX_PENDING_QUERIES, createDnsProtocol, type DnsConnState } from '../../../../../src/beats/packetbeat/protos/dns/index.js';
import { readDnsConfig } from '../../../../../src/beats/packetbeat/protos/dns/config.js';
import { seededRandom } from '../../../../support/random.js';
import { query, response, u16 } from './build.js';

const CONN: TcpConnection = { id: 3, client: { ip: '127.0.0.1', port: 5555 }, server: { ip: '127.0.0.1', port: 53 } };

function protocol(events: { n: number }): DnsProtocol {
  return createDnsProtocol(new ConfigNode({ include_authorities: true, include_additionals: true, send_request: true, send_response: true }), {
    report: () => void events.n++,
    log: nopLogger,
    now: () => 0,
  }) as DnsProtocol;
}

describe('DNS protocol under hostile input', () => {
  it('survives bit-flipped, truncated and reordered UDP exchanges and TCP streams (seeded)', () => {
    const seed = 0xd0d0;
    const rnd = seededRandom(seed);
    const events = { n: 0 };
    const p = protocol(events);
    let sent = 0;
    for (let round = 0; round < 3000; round++) {
      const msgs: Array<[Direction, Buffer]> = [
        [0, query(round & 0xffff, `h${round}.beat.test`)],
        [1, response(round & 0xffff, `h${round}.beat.test`, ['10.0.0.1', '10.0.0.2'])],
      ];
      if (round % 3 === 0) msgs.reverse();
      try {
        for (const [d, m] of msgs) {
          const b = Buffer.from(m);
          for (let k = 0; k < Math.floor(rnd() * 4); k++) {
            const at = Math.floor(rnd() * b.length);
            b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
          }
          const piece = rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
          p.parseUdp({ ts: round, payload: piece }, CONN.client, CONN.server, d);
          sent++;
        }
        // The same pair over TCP, cut into random pieces, sometimes with a gap.
        let st: DnsConnState | undefined;
        for (const [d, m] of msgs) {
          const framed = Buffer.concat([u16(rnd() < 0.1 ? Math.floor(rnd() * 65536) : m.length), m]);
          let pos = 0;
          while (pos < framed.length) {
            const n = 1 + Math.floor(rnd() * 20);
            if (rnd() < 0.02) {
              st = p.gapInStream(CONN, d, n, st).state;
            } else st = p.parse({ ts: round, payload: framed.subarray(pos, pos + n) }, CONN, d, st);
            pos += n;
          }
        }
        p.connectionClosed(CONN, st);
        if (round % 100 === 0) p.expire(round + 20_000);
      } catch (e) {
        assert.fail(`seed ${seed} round ${round}: ${String(e)}`);
      }
    }
    p.flush();
    assert.ok(events.n > 0 && events.n <= sent * 2);
  });

  it('bounds the UDP queries waiting for an answer', () => {
    const events = { n: 0 };
    const limit = 2000;
    assert.ok(MAX_PENDING_QUERIES >= limit);
    const p = new DnsProtocol(readDnsConfig(new ConfigNode({})), { report: () => void events.n++, log: nopLogger, now: () => 0 }, { maxPendingQueries: limit });
    const total = limit + 500;
    for (let i = 0; i < total; i++) {
      p.parseUdp({ ts: 0, payload: query(i & 0xffff, 'flood.test') }, { ip: '10.9.9.9', port: 1024 + (i >> 16) }, CONN.server, 0);
    }
    assert.equal(events.n, 500);
    p.flush();
    assert.equal(events.n, total);
  });
});
