import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import type { TcpConnection, TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { createThriftProtocol } from '../../../../../src/beats/packetbeat/protos/thrift/index.js';

const conn: TcpConnection = { id: 1, client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 9090 } };

function msg(type: number, name: string, seq: number, body: Buffer = Buffer.from([0])): Buffer {
  const h = Buffer.alloc(8 + name.length + 4);
  h.writeUInt32BE(((0x8001 << 16) | type) >>> 0, 0);
  h.writeUInt32BE(name.length, 4);
  h.write(name, 8);
  h.writeInt32BE(seq, 8 + name.length);
  return Buffer.concat([h, body]);
}
const i32Result = (n: number): Buffer => {
  const b = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]);
  b.writeInt32BE(n, 3);
  return b;
};

function setup(cfg: Record<string, unknown> = {}): { p: TcpProtocol; events: BeatEvent[] } {
  const events: BeatEvent[] = [];
  const p = createThriftProtocol(new ConfigNode(cfg), { report: (e) => void events.push(e), log: nopLogger, now: () => 0 });
  return { p: p as TcpProtocol, events };
}

const th = (e: BeatEvent): Record<string, unknown> => e.fields['thrift'] as Record<string, unknown>;

test('pipelined calls pair in order; an unanswered call is skipped when a later reply matches', () => {
  const { p, events } = setup({ send_request: true, send_response: true });
  let st = p.parse({ ts: 0, payload: Buffer.concat([msg(1, 'a', 1), msg(1, 'b', 2), msg(4, 'fire', 0), msg(1, 'c', 3)]) }, conn, 0, undefined);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status']]), [['fire', 'OK']]);
  st = p.parse({ ts: 5, payload: Buffer.concat([msg(2, 'b', 2, i32Result(7)), msg(2, 'c', 3, i32Result(8))]) }, conn, 1, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status'], th(e)['return_value'] ?? null]), [
    ['fire', 'OK', null],
    ['a', 'Error', null],
    ['b', 'OK', '7'],
    ['c', 'OK', '8'],
  ]);
  assert.deepEqual(events[1]!.fields['notes'], ['Response not found']);
  assert.equal(events[2]!.fields['responsetime'], 5);
  assert.equal(events[2]!.fields['request'], 'b()');
  assert.equal(events[2]!.fields['response'], '(0: 7)');
  p.connectionClosed(conn, st);
  assert.equal(events.length, 4);
});

test('calls without replies: timeout and connection close', () => {
  const { p, events } = setup({ transaction_timeout: '1s' });
  const st = p.parse({ ts: 0, payload: msg(1, 'slow', 1) }, conn, 0, undefined);
  p.expire?.(999);
  assert.equal(events.length, 0);
  p.expire?.(1000);
  assert.equal(events.length, 1);
  p.parse({ ts: 1000, payload: msg(1, 'other', 2) }, conn, 0, st);
  p.connectionClosed(conn, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status']]), [['slow', 'Error'], ['other', 'Error']]);
});

test('garbage on the reply side resets the stream and gives up the calls in flight', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: msg(1, 'a', 1) }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') }, conn, 1, st);
  assert.deepEqual(events[0]!.fields['notes'], ['Unparseable response']);
  st = p.parse({ ts: 2, payload: msg(1, 'b', 2) }, conn, 0, st);
  p.parse({ ts: 3, payload: msg(2, 'b', 2, i32Result(1)) }, conn, 1, st);
  assert.equal(th(events[1]!)['return_value'], '1');
});

test('multiplexed method names (Service:method) use the IDL of the method and name the service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idl-'));
  try {
    const idl = join(dir, 'calc.thrift');
    writeFileSync(idl, 'service Calculator { i32 add(1: i32 num1, 2: i32 num2) }');
    const { p, events } = setup({ idl_files: [idl] });
    const args = Buffer.from([8, 0, 1, 0, 0, 0, 20, 8, 0, 2, 0, 0, 0, 22, 0]);
    let st = p.parse({ ts: 0, payload: msg(1, 'Calculator:add', 1, args) }, conn, 0, undefined);
    st = p.parse({ ts: 1, payload: msg(2, 'Calculator:add', 1, i32Result(42)) }, conn, 1, st);
    assert.deepEqual([events[0]!.fields['path'], th(events[0]!)['params'], th(events[0]!)['return_value']], ['Calculator', '(num1: 20, num2: 22)', '42']);
    st = p.parse({ ts: 2, payload: msg(1, 'Other:thing', 2) }, conn, 0, st);
    p.connectionClosed(conn, st);
    assert.equal(th(events[1]!)['service'], 'Other');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after lost bytes a strict stream waits for a segment that starts with a strict header', () => {
  const { p, events } = setup();
  const call = msg(1, 'echo', 1, Buffer.concat([Buffer.from([11, 0, 1, 0, 0, 0, 20]), Buffer.from('0123456789'), Buffer.from([0])]));
  let st = p.parse({ ts: 0, payload: call.subarray(0, 25) }, conn, 0, undefined);
  st = p.gapInStream(conn, 0, 5, st).state;
  st = p.parse({ ts: 1, payload: Buffer.from('9abcdef\x00') }, conn, 0, st);
  st = p.parse({ ts: 2, payload: msg(1, 'b', 2) }, conn, 0, st);
  st = p.parse({ ts: 3, payload: msg(2, 'b', 2, i32Result(5)) }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status'], th(e)['return_value']]), [['b', 'OK', '5']]);
});
