import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import type { TcpConnection, TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { createRedisProtocol } from '../../../../../src/beats/packetbeat/protos/redis/index.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';

const conn: TcpConnection = { id: 1, client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '10.0.0.2', port: 6379 } };

function setup(cfg: Record<string, unknown> = {}): { p: TcpProtocol; events: BeatEvent[] } {
  const events: BeatEvent[] = [];
  const p = createRedisProtocol(new ConfigNode(cfg), { report: (e) => void events.push(e), log: nopLogger, now: () => 0 });
  return { p: p as TcpProtocol, events };
}

const redis = (e: BeatEvent): Record<string, unknown> => e.fields['redis'] as Record<string, unknown>;

test('pipelined requests pair with replies in order; times and sizes per transaction', () => {
  const { p, events } = setup({ send_request: true, send_response: true });
  let st = p.parse({ ts: 1000, payload: Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\nPING\r\n') }, conn, 0, undefined);
  st = p.parse({ ts: 1005, payload: Buffer.from('$3\r\nfoo\r\n-ERR not an int\r\n') }, conn, 1, st);
  st = p.parse({ ts: 1010, payload: Buffer.from('+PONG\r\n') }, conn, 1, st);
  assert.equal(events.length, 3);
  const [a, b, c] = events as [BeatEvent, BeatEvent, BeatEvent];
  assert.deepEqual(
    [a.fields['method'], a.fields['path'], a.fields['query'], a.fields['status'], redis(a)['return_value'], a.fields['responsetime']],
    ['GET', 'a', 'GET a', 'OK', 'foo', 5],
  );
  assert.equal(a.fields['bytes_in'], 20);
  assert.equal(a.fields['bytes_out'], 9);
  assert.equal(a.fields['request'], 'GET a');
  assert.equal(a.fields['response'], 'foo');
  assert.deepEqual([b.fields['status'], redis(b)['error'], redis(b)['return_value']], ['Error', 'ERR not an int', undefined]);
  assert.deepEqual([c.fields['method'], c.fields['path'], redis(c)['return_value'], c.fields['responsetime']], ['PING', undefined, 'PONG', 10]);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 3);
});

test('unanswered requests: published on close and on timeout with a note', () => {
  const { p, events } = setup({ transaction_timeout: '2s' });
  let st = p.parse({ ts: 0, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, undefined);
  st = p.parse({ ts: 1500, payload: Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\nx\r\n') }, conn, 0, st);
  p.expire?.(1999);
  assert.equal(events.length, 0);
  p.expire?.(2000);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.fields['status'], 'Error');
  assert.deepEqual(events[0]!.fields['notes'], ['Response not found']);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 2);
  assert.equal(events[1]!.fields['query'], 'GET x');
});

test('a reply stream that is not RESP is dropped, and the connection keeps working', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.from('HTTP/1.1 200 OK\r\n') }, conn, 1, st);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]!.fields['notes'], ['Unparseable response']);
  st = p.parse({ ts: 2, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, st);
  st = p.parse({ ts: 3, payload: Buffer.from('+PONG\r\n') }, conn, 1, st);
  assert.equal(events.length, 2);
  assert.equal(redis(events[1]!)['return_value'], 'PONG');
  // A gap in the reply direction gives up the requests in flight.
  st = p.parse({ ts: 4, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, st);
  const g = p.gapInStream(conn, 1, 100, st);
  assert.equal(g.drop, false);
  assert.equal(events.length, 3);
  assert.equal(events[2]!.fields['status'], 'Error');
});

test('replies without requests (pub/sub pushes) are not transactions', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: Buffer.from('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n') }, conn, 1, undefined);
  st = p.parse({ ts: 0, payload: Buffer.from('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n') }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 0);
});

test('config: default port 6379, bad options are ConfigErrors', () => {
  assert.deepEqual(setup().p.ports, [6379]);
  assert.throws(() => setup({ ports: ['x'] }), ConfigError);
  assert.throws(() => setup({ transaction_timeout: 'soon' }), ConfigError);
});

test('after lost bytes the parsers wait for a segment that starts a message (no bogus inline commands)', () => {
  const { p, events } = setup();
  let st = p.parse({ ts: 0, payload: Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n01234') }, conn, 0, undefined);
  st = p.gapInStream(conn, 0, 100, st).state;
  st = p.parse({ ts: 1, payload: Buffer.from('rest of a lost value\r\nmore junk\r\n') }, conn, 0, st);
  st = p.parse({ ts: 2, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, st);
  st = p.gapInStream(conn, 1, 10, st).state;
  st = p.parse({ ts: 3, payload: Buffer.from('lue\r\n') }, conn, 1, st);
  st = p.parse({ ts: 4, payload: Buffer.from('+PONG\r\n') }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], e.fields['status']]), [['PING', 'Error']]);
  // The PING was given up by the reply-side gap; the stray PONG has no request left and is ignored.
  assert.deepEqual(events[0]!.fields['notes'], ['Packet loss while capturing the response']);
});

test('RESP2 pub/sub: extra channel confirmations and messages do not take the replies of later commands', () => {
  const { p, events } = setup();
  const arr = (...w: Array<string | number>): string =>
    `*${w.length}\r\n` + w.map((x) => (typeof x === 'number' ? `:${x}\r\n` : `$${x.length}\r\n${x}\r\n`)).join('');
  let st = p.parse({ ts: 0, payload: Buffer.from('*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n') }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.from(arr('subscribe', 'a', 1) + arr('subscribe', 'b', 2) + arr('message', 'a', 'hi')) }, conn, 1, st);
  st = p.parse({ ts: 2, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, st);
  st = p.parse({ ts: 3, payload: Buffer.from(arr('message', 'b', 'yo') + arr('pong', '')) }, conn, 1, st);
  st = p.parse({ ts: 4, payload: Buffer.from('*1\r\n$11\r\nUNSUBSCRIBE\r\n') }, conn, 0, st);
  st = p.parse({ ts: 5, payload: Buffer.from(arr('unsubscribe', 'a', 1) + arr('unsubscribe', 'b', 0)) }, conn, 1, st);
  // Out of subscribed mode, an ordinary reply that looks like a pub/sub message is a reply.
  st = p.parse({ ts: 6, payload: Buffer.from('*4\r\n$6\r\nLRANGE\r\n$1\r\nl\r\n$1\r\n0\r\n$2\r\n-1\r\n') }, conn, 0, st);
  st = p.parse({ ts: 7, payload: Buffer.from(arr('message', 'x', 'y')) }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.deepEqual(events.map((e) => [e.fields['method'], redis(e)['return_value']]), [
    ['SUBSCRIBE', '[subscribe, a, 1]'],
    ['PING', '[pong, ]'],
    ['UNSUBSCRIBE', '[unsubscribe, a, 1]'],
    ['LRANGE', '[message, x, y]'],
  ]);
});

test('mass pipelining beyond 1000 commands in flight: the rest are counted and their replies skipped in step', () => {
  const { p, events } = setup();
  const cmds: string[] = [];
  const replies: string[] = [];
  for (let i = 0; i < 1500; i++) {
    cmds.push(`*2\r\n$3\r\nGET\r\n$${String(i).length + 2}\r\nk:${i}\r\n`);
    replies.push(`$${String(i).length + 2}\r\nv:${i}\r\n`);
  }
  let st = p.parse({ ts: 0, payload: Buffer.from(cmds.join('')) }, conn, 0, undefined);
  st = p.parse({ ts: 1, payload: Buffer.from(replies.join('')) }, conn, 1, st);
  assert.equal(events.length, 1000);
  events.forEach((e, i) => assert.equal(redis(e)['return_value'], `v:${e.fields['path']!.toString().slice(2)}`, `event ${i}`));
  st = p.parse({ ts: 2, payload: Buffer.from('*1\r\n$4\r\nPING\r\n') }, conn, 0, st);
  st = p.parse({ ts: 3, payload: Buffer.from('+PONG\r\n') }, conn, 1, st);
  p.connectionClosed(conn, st);
  assert.equal(events.length, 1001);
  assert.deepEqual([events[1000]!.fields['method'], redis(events[1000]!)['return_value']], ['PING', 'PONG']);
});
