import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import {
  isTcpProtocol,
  isUdpProtocol,
  type TcpConnection,
  type TcpProtocol,
  type UdpProtocol,
} from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { createMemcacheProtocol } from '../../../../../src/beats/packetbeat/protos/memcache/index.js';

type Obj = Record<string, unknown>;
const conn: TcpConnection = { id: 1, client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 11211 } };

function setup(cfg: Obj = {}): { p: TcpProtocol & UdpProtocol; events: BeatEvent[] } {
  const events: BeatEvent[] = [];
  const p = createMemcacheProtocol(new ConfigNode(cfg), { report: (e) => void events.push(e), log: nopLogger, now: () => 0 });
  assert.ok(isTcpProtocol(p) && isUdpProtocol(p));
  return { p: p as TcpProtocol & UdpProtocol, events };
}

const mc = (e: BeatEvent): Obj => e.fields['memcache'] as Obj;
const resp = (e: BeatEvent): Obj | undefined => mc(e)['response'] as Obj | undefined;

function bin(magic: number, op: number, opaque: number, key = '', value = '', status = 0): Buffer {
  const h = Buffer.alloc(24);
  h[0] = magic;
  h[1] = op;
  h.writeUInt16BE(key.length, 2);
  h.writeUInt16BE(status, 6);
  h.writeUInt32BE(key.length + value.length, 8);
  h.writeUInt32BE(opaque, 12);
  return Buffer.concat([h, Buffer.from(key), Buffer.from(value)]);
}

test('text: noreply requests behind a pending get wait their turn; quit needs no reply', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: Buffer.from('get a\r\nset b 0 0 1 noreply\r\nx\r\nget b\r\nquit\r\n') }, conn, 0, undefined);
  assert.equal(events.length, 0);
  st = p.parse({ ts: 3, payload: Buffer.from('END\r\nVALUE b 0 1\r\nx\r\nEND\r\n') }, conn, 1, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status'], resp(e)?.['command'] ?? null]), [
    ['get', 'OK', 'END'],
    ['set', 'OK', null],
    ['get', 'OK', 'VALUE'],
    ['quit', 'OK', null],
  ]);
  assert.equal(events[1]!.fields['notes'], undefined);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 4);
});

test('text: an unanswered request is an Error with a note on close and on timeout', () => {
  const { p, events } = setup({ transaction_timeout: 1 });
  const st = p.parse({ ts: 0, payload: Buffer.from('get a\r\n') }, conn, 0, undefined);
  p.expire?.(999);
  assert.equal(events.length, 0);
  p.expire?.(1000);
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.fields['status'], events[0]!.fields['notes']], ['Error', ['Response not found']]);
  p.parse({ ts: 2000, payload: Buffer.from('delete x\r\n') }, conn, 0, st);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 2);
});

test('binary: quiet requests without a reply complete when a later reply arrives; stat entries are gathered', () => {
  const { p, events } = setup();
  const reqs = Buffer.concat([bin(0x80, 0x11, 1, 'a', 'v'), bin(0x80, 0x0d, 2, 'a'), bin(0x80, 0x0d, 3, 'zz'), bin(0x80, 0x0a, 4), bin(0x80, 0x10, 5)]);
  let st = p.parse({ ts: 0, payload: reqs }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.concat([bin(0x81, 0x0d, 2, 'a', 'v'), bin(0x81, 0x0a, 4)]) }, conn, 1, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status'], resp(e)?.['status'] ?? null]), [
    ['setq', 'OK', null],
    ['getkq', 'OK', 'Success'],
    ['getkq', 'OK', null],
    ['noop', 'OK', 'Success'],
  ]);
  st = p.parse({ ts: 2, payload: Buffer.concat([bin(0x81, 0x10, 5, 'pid', '7'), bin(0x81, 0x10, 5, 'uptime', '9'), bin(0x81, 0x10, 5)]) }, conn, 1, st);
  assert.equal(events.length, 5);
  assert.deepEqual(resp(events[4]!)!['stats'], [{ name: 'pid', value: '7' }, { name: 'uptime', value: '9' }]);
  // A failing quiet set does answer, with an error status.
  st = p.parse({ ts: 3, payload: bin(0x80, 0x12, 6, 'a', 'v') }, conn, 0, st);
  p.parse({ ts: 4, payload: bin(0x81, 0x12, 6, '', 'Data exists for key.', 2) }, conn, 1, st);
  assert.deepEqual([events[5]!.fields['status'], resp(events[5]!)!['error_msg']], ['Error', 'Data exists for key.']);
});

function udp(id: number, seq: number, total: number, body: string): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(seq, 2);
  h.writeUInt16BE(total, 4);
  return Buffer.concat([h, Buffer.from(body)]);
}

test('UDP: responses reassembled from datagrams in any order; timeouts use udptransactiontimeout', () => {
  const { p, events } = setup({ udptransactiontimeout: 200 });
  const c = { ip: '10.0.0.1', port: 5000 };
  const s = { ip: '10.0.0.2', port: 11211 };
  p.parseUdp({ ts: 0, payload: udp(7, 0, 1, 'get big\r\n') }, c, s, 0);
  p.parseUdp({ ts: 1, payload: udp(8, 0, 1, 'get other\r\n') }, c, s, 0);
  p.parseUdp({ ts: 2, payload: udp(7, 1, 2, 'bcdef\r\nEND\r\n') }, c, s, 1);
  assert.equal(events.length, 0);
  p.parseUdp({ ts: 3, payload: udp(7, 0, 2, 'VALUE big 0 6\r\na') }, c, s, 1);
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.fields['transport'], resp(events[0]!)!['bytes'], events[0]!.fields['responsetime']], ['udp', 6, 3]);
  p.expire?.(150);
  assert.equal(events.length, 1);
  p.expire?.(201);
  assert.equal(events.length, 2);
  assert.deepEqual([events[1]!.fields['method'], events[1]!.fields['status']], ['get', 'Error']);
  p.parseUdp({ ts: 300, payload: udp(9, 0, 1, 'delete x noreply\r\n') }, c, s, 0);
  assert.deepEqual([events[2]!.fields['method'], events[2]!.fields['status']], ['delete', 'OK']);
  p.parseUdp({ ts: 301, payload: udp(10, 0, 1, 'version\r\n') }, c, s, 0);
  p.flush();
  assert.equal(events.length, 4);
  // Short or garbage datagrams are ignored.
  p.parseUdp({ ts: 302, payload: Buffer.from([1, 2, 3]) }, c, s, 0);
  p.parseUdp({ ts: 302, payload: udp(11, 0, 1, '\x00\xff\x01') }, c, s, 1);
  p.flush();
  assert.equal(events.length, 4);
});

test('config: defaults and mistakes', () => {
  assert.deepEqual(setup().p.ports, [11211]);
  assert.throws(() => setup({ maxvalues: -2 }), ConfigError);
  assert.throws(() => setup({ maxbytespervalue: 'lots' }), ConfigError);
  assert.throws(() => setup({ parseunknown: 'maybe' }), ConfigError);
  assert.throws(() => setup({ udptransactiontimeout: 0 }), ConfigError);
});

test('after lost bytes the streams wait for a segment that starts with a known command or reply', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: Buffer.from('set k 0 0 20\r\nhello') }, conn, 0, undefined);
  st = p.gapInStream(conn, 0, 5, st).state;
  st = p.parse({ ts: 1, payload: Buffer.from('world and more\r\n') }, conn, 0, st);
  st = p.parse({ ts: 2, payload: Buffer.from('get k\r\n') }, conn, 0, st);
  st = p.gapInStream(conn, 1, 5, st).state;
  assert.equal(events.length, 1, 'the get is given up by the reply-side gap');
  st = p.parse({ ts: 3, payload: Buffer.from('lo world\r\nEND\r\n') }, conn, 1, st);
  st = p.parse({ ts: 4, payload: Buffer.from('delete k\r\n') }, conn, 0, st);
  st = p.parse({ ts: 5, payload: Buffer.from('DELETED\r\n') }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status']]), [['get', 'Error'], ['delete', 'OK']]);
});

test('beyond 1000 requests in flight the rest are counted and their replies skipped in step', () => {
  const { p, events } = setup();
  const reqs: string[] = [];
  const resps: string[] = [];
  for (let i = 0; i < 1300; i++) {
    reqs.push(`get k${i}\r\n`);
    resps.push(`VALUE k${i} 0 1\r\n${i % 10}\r\nEND\r\n`);
    if (i % 100 === 0) reqs.push(`delete x${i} noreply\r\n`);
  }
  let st = p.parse({ ts: 0, payload: Buffer.from(reqs.join('')) }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.from(resps.join('')) }, conn, 1, st);
  // The first 1000 requests are tracked: 990 gets and the 10 noreply deletes among them.
  const gets = events.filter((e) => e.fields['method'] === 'get');
  assert.equal(gets.length, 990);
  assert.equal(events.filter((e) => e.fields['method'] === 'delete').length, 10);
  for (const e of gets) {
    const key = ((mc(e)['request'] as Obj)['keys'] as string[])[0];
    assert.deepEqual(resp(e)!['keys'], [key]);
  }
  st = p.parse({ ts: 2, payload: Buffer.from('version\r\n') }, conn, 0, st);
  st = p.parse({ ts: 3, payload: Buffer.from('VERSION 1.6\r\n') }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.equal(resp(events[events.length - 1]!)!['version'], '1.6');
});
