import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import type { Endpoint, TcpConnection } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { isTcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { DnsProtocol, createDnsProtocol, type DnsConnState } from '../../../../../src/beats/packetbeat/protos/dns/index.js';
import { message, name, query, response, u16 } from './build.js';

const CLIENT: Endpoint = { ip: '192.168.1.5', port: 40000 };
const SERVER: Endpoint = { ip: '192.168.1.1', port: 53 };
const CONN: TcpConnection = { id: 7, client: CLIENT, server: SERVER };

function setup(cfg: Record<string, unknown> = {}): { p: DnsProtocol; events: BeatEvent[] } {
  const events: BeatEvent[] = [];
  const p = createDnsProtocol(new ConfigNode(cfg, 'packetbeat.yml', 'protocols.dns'), { report: (e) => events.push(e), log: nopLogger, now: () => 0 });
  assert.ok(p instanceof DnsProtocol);
  return { p, events };
}

const dns = (e: BeatEvent | undefined): Record<string, unknown> => (e?.fields['dns'] ?? {}) as Record<string, unknown>;
const framed = (m: Buffer): Buffer => Buffer.concat([u16(m.length), m]);

describe('DNS protocol', () => {
  it('reads its options and rejects bad ones', () => {
    const { p } = setup();
    assert.deepEqual(p.ports, [53]);
    assert.equal(p.config.includeAuthorities, false);
    assert.ok(isTcpProtocol(p) && 'parseUdp' in p, 'serves both TCP and UDP');
    assert.throws(() => setup({ include_additionals: 3 }), (e: unknown) => e instanceof ConfigError && /protocols\.dns\.include_additionals/.test(e.message));
  });

  it('pairs UDP queries and responses by client and id, with the 1.0 fields', () => {
    const { p, events } = setup();
    p.parseUdp({ ts: 1000, payload: query(1, 'www.beat.test') }, CLIENT, SERVER, 0);
    p.parseUdp({ ts: 1001, payload: query(1, 'other.test') }, { ip: CLIENT.ip, port: 40001 }, SERVER, 0);
    p.parseUdp({ ts: 1004, payload: response(1, 'www.beat.test', ['10.1.1.1', '10.1.1.2']) }, CLIENT, SERVER, 1);
    assert.equal(events.length, 1);
    const f = events[0]?.fields ?? {};
    assert.equal(f['type'], 'dns');
    assert.equal(f['transport'], 'udp');
    assert.equal(f['method'], 'QUERY');
    assert.equal(f['query'], 'class IN, type A, www.beat.test');
    assert.equal(f['path'], 'www.beat.test');
    assert.equal(f['status'], 'OK');
    assert.equal(f['responsetime'], 4);
    assert.equal(f['client_port'], 40000);
    assert.equal(f['port'], 53);
    assert.equal(f['bytes_in'], 31);
    assert.deepEqual(dns(events[0]), {
      id: 1,
      op_code: 'QUERY',
      flags: { authoritative: false, recursion_allowed: true, recursion_desired: true, truncated_response: false },
      question: { name: 'www.beat.test', type: 'A', class: 'IN' },
      response_code: 'NOERROR',
      answers_count: 2,
      answers: [
        { name: 'www.beat.test', type: 'A', class: 'IN', ttl: 60, data: '10.1.1.1' },
        { name: 'www.beat.test', type: 'A', class: 'IN', ttl: 60, data: '10.1.1.2' },
      ],
      authorities_count: 0,
      additionals_count: 0,
    });
    p.flush();
    assert.equal(events.length, 2);
    assert.equal(events[1]?.fields['status'], 'Error');
    assert.deepEqual(events[1]?.fields['notes'], ['Response not found']);
  });

  it('sets status Error from the response code', () => {
    const { p, events } = setup();
    p.parseUdp({ ts: 0, payload: query(9, 'nope.test') }, CLIENT, SERVER, 0);
    p.parseUdp({ ts: 1, payload: response(9, 'nope.test', [], 3) }, CLIENT, SERVER, 1);
    assert.equal(events[0]?.fields['status'], 'Error');
    assert.equal(dns(events[0])['response_code'], 'NXDOMAIN');
  });

  it('expires queries after transaction_timeout and reports orphan responses', () => {
    const { p, events } = setup({ transaction_timeout: '5s' });
    p.parseUdp({ ts: 0, payload: query(1, 'a.test') }, CLIENT, SERVER, 0);
    p.parseUdp({ ts: 4000, payload: query(2, 'b.test') }, CLIENT, SERVER, 0);
    p.expire(5500);
    assert.deepEqual(
      events.map((e) => e.fields['path']),
      ['a.test'],
    );
    p.parseUdp({ ts: 5600, payload: response(1, 'a.test', ['1.1.1.1']) }, CLIENT, SERVER, 1);
    assert.deepEqual(events[1]?.fields['notes'], ['Request not found']);
    assert.equal(events[1]?.fields['status'], 'OK');
  });

  it('closes a query when the client reuses its id', () => {
    const { p, events } = setup();
    p.parseUdp({ ts: 0, payload: query(5, 'a.test') }, CLIENT, SERVER, 0);
    p.parseUdp({ ts: 1, payload: query(5, 'b.test') }, CLIENT, SERVER, 0);
    assert.equal(events.length, 1);
    assert.match(String(events[0]?.fields['notes']), /same DNS ID/);
  });

  it('include_authorities / include_additionals, send_request / send_response', () => {
    const msg = message({
      id: 3,
      flags: 0x8180,
      questions: [{ name: 'beat.test', type: 15 }],
      answers: [{ name: 'beat.test', type: 15, rdata: Buffer.concat([u16(10), name('mail.beat.test')]) }],
      authorities: [{ name: 'beat.test', type: 2, rdata: name('ns.beat.test') }],
      additionals: [
        { name: 'mail.beat.test', type: 1, rdata: Buffer.from([10, 0, 0, 1]) },
        { name: '.', type: 41, class: 1232, ttl: 0, rdata: Buffer.alloc(0) },
      ],
    });
    const plain = setup();
    plain.p.parseUdp({ ts: 0, payload: query(3, 'beat.test', 15) }, CLIENT, SERVER, 0);
    plain.p.parseUdp({ ts: 0, payload: msg }, CLIENT, SERVER, 1);
    assert.equal(dns(plain.events[0])['authorities'], undefined);
    assert.equal(dns(plain.events[0])['additionals'], undefined);
    assert.equal(dns(plain.events[0])['authorities_count'], 1);
    assert.equal(dns(plain.events[0])['additionals_count'], 2);
    assert.equal(plain.events[0]?.fields['request'], undefined);

    const all = setup({ include_authorities: true, include_additionals: true, send_request: true, send_response: true });
    all.p.parseUdp({ ts: 0, payload: query(3, 'beat.test', 15) }, CLIENT, SERVER, 0);
    all.p.parseUdp({ ts: 0, payload: msg }, CLIENT, SERVER, 1);
    assert.deepEqual(dns(all.events[0])['authorities'], [{ name: 'beat.test', type: 'NS', class: 'IN', ttl: 60, data: 'ns.beat.test' }]);
    assert.deepEqual(dns(all.events[0])['additionals'], [
      { name: 'mail.beat.test', type: 'A', class: 'IN', ttl: 60, data: '10.0.0.1' },
      { name: '.', type: 'OPT', data: 'version 0, udp 1232, do false' },
    ]);
    assert.match(String(all.events[0]?.fields['request']), /QUESTION SECTION:\n;beat\.test\tIN\tMX/);
    assert.match(String(all.events[0]?.fields['response']), /ANSWER SECTION:\nbeat\.test\t60\tIN\tMX\t10 mail\.beat\.test/);
  });

  it('frames DNS over TCP whatever the segment boundaries and pairs by id', () => {
    const stream = Buffer.concat([framed(query(1, 'a.test')), framed(query(2, 'b.test'))]);
    const answers = Buffer.concat([framed(response(2, 'b.test', ['2.2.2.2'])), framed(response(1, 'a.test', ['1.1.1.1']))]);
    for (let cut = 0; cut <= stream.length; cut += 3) {
      const { p, events } = setup();
      let st: DnsConnState | undefined;
      st = p.parse({ ts: 0, payload: stream.subarray(0, cut) }, CONN, 0, st);
      st = p.parse({ ts: 1, payload: stream.subarray(cut) }, CONN, 0, st);
      for (let i = 0; i < answers.length; i++) st = p.parse({ ts: 2, payload: answers.subarray(i, i + 1) }, CONN, 1, st);
      p.connectionClosed(CONN, st);
      assert.deepEqual(
        events.map((e) => [e.fields['path'], e.fields['transport'], (dns(e)['answers'] as Array<{ data: string }>)[0]?.data]),
        [
          ['b.test', 'tcp', '2.2.2.2'],
          ['a.test', 'tcp', '1.1.1.1'],
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('reassembles a large TCP message sent one byte per segment in linear time', () => {
    const { p, events } = setup();
    const big = message({
      id: 77,
      flags: 0x8180,
      questions: [{ name: 'big.test', type: 16 }],
      answers: Array.from({ length: 200 }, () => ({ name: 'big.test', type: 16, rdata: Buffer.concat([Buffer.from([250]), Buffer.alloc(250, 0x62)]) })),
    });
    let st = p.parse({ ts: 0, payload: framed(query(77, 'big.test', 16)) }, CONN, 0, undefined);
    const t0 = Date.now();
    const bytes = framed(big);
    for (let i = 0; i < bytes.length; i++) st = p.parse({ ts: 1, payload: bytes.subarray(i, i + 1) }, CONN, 1, st);
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms for ${bytes.length} segments`);
    assert.equal(events.length, 1);
    assert.equal(dns(events[0])['answers_count'], 200);
  });

  it('after a gap skips data until a segment of whole messages, and publishes waiting queries on close', () => {
    const { p, events } = setup();
    let st = p.parse({ ts: 0, payload: Buffer.concat([framed(query(1, 'a.test')), framed(query(2, 'b.test'))]) }, CONN, 0, undefined);
    const g = p.gapInStream(CONN, 1, 100, st);
    assert.equal(g.drop, false);
    const answer1 = framed(response(1, 'a.test', ['1.1.1.1']));
    st = p.parse({ ts: 1, payload: answer1.subarray(5) }, CONN, 1, g.state);
    assert.equal(events.length, 0, 'the tail of a message is not taken for a new one');
    st = p.parse({ ts: 2, payload: framed(response(2, 'b.test', ['2.2.2.2'])) }, CONN, 1, st);
    assert.deepEqual(
      events.map((e) => e.fields['path']),
      ['b.test'],
    );
    p.connectionClosed(CONN, st);
    assert.equal(events.length, 2);
    assert.equal(events[1]?.fields['path'], 'a.test');
    assert.deepEqual(events[1]?.fields['notes'], ['Response not found']);
  });
});
