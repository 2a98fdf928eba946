// Through the real engine: a synthetic capture of MongoDB traffic (messages built with the `bson` package, framed
// as TCP/IPv4 segments with a handshake and close) gives one transaction per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, ethernet, tcpIp } from '../../../support/packetbeat/frames.js';
import { writeTempCapture } from '../../../support/packetbeat/temp-pcap.js';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { opInsert, opMsg, opMsgReply, opQuery, opReply } from '../../../unit/packetbeat/protos/mongodb/wire.js';

test('engine: synthetic MongoDB capture (OP_MSG, OP_QUERY, OP_INSERT) gives its transactions', async () => {
  const c = new Conversation({ ip: '127.0.0.1', port: 51000 }, { ip: '127.0.0.1', port: 27017 }).handshake();
  c.client_(opMsg(1, { find: 'users', filter: {}, $db: 'shop' }));
  c.server_(opMsgReply(101, 1, { cursor: { firstBatch: [{ a: 1 }, { a: 2 }, { a: 3 }], id: 0, ns: 'shop.users' }, ok: 1 }));
  const big = opMsg(2, { insert: 'blobs', documents: [{ data: 'x'.repeat(5000) }], $db: 'shop' });
  c.client_(big.subarray(0, 1400)).client_(big.subarray(1400, 2800)).client_(big.subarray(2800));
  c.server_(opMsgReply(102, 2, { n: 1, ok: 1 }));
  c.client_(opQuery(3, 'shop.users', { a: 2 }));
  c.server_(opReply(103, 3, [{ a: 2 }]));
  c.client_(opInsert(4, 'shop.users', [{ a: 4 }]));
  c.client_(opMsg(5, { drop: 'nope', $db: 'shop' }));
  c.server_(opMsgReply(105, 5, { ok: 0, errmsg: 'ns not found', code: 26, codeName: 'NamespaceNotFound' }));
  c.close();
  const file = writeTempCapture(1, c.segments.map((s) => ethernet(tcpIp(s))), { name: 'mongodb' });
  const events = await runCapture(file, { mongodb: { ports: [27017] } });
  const got = events.map((e) => [e.fields['method'], e.fields['path'], e.fields['status']]);
  assert.deepEqual(got, [
    ['find', 'shop.users', 'OK'],
    ['insert', 'shop.blobs', 'OK'],
    ['find', 'shop.users', 'OK'],
    ['insert', 'shop.users', 'OK'],
    ['drop', 'shop.nope', 'Error'],
  ]);
  const find = events[0]!.fields;
  assert.equal((find['mongodb'] as Record<string, unknown>)['numberReturned'], 3);
  assert.equal(find['type'], 'mongodb');
  assert.equal(find['port'], 27017);
  assert.equal(find['client_port'], 51000);
  assert.equal(events[1]!.fields['bytes_in'], big.length);
  assert.equal((events[4]!.fields['mongodb'] as Record<string, unknown>)['error'], 'ns not found (NamespaceNotFound)');
});

test('engine: a lost segment inside a large reply; the following exchanges are decoded', async () => {
  const c = new Conversation({ ip: '127.0.0.1', port: 51001 }, { ip: '127.0.0.1', port: 27017 }).handshake();
  c.client_(opMsg(1, { find: 'big', filter: {}, $db: 'shop' }));
  const reply = opMsgReply(101, 1, { cursor: { firstBatch: Array.from({ length: 200 }, (_, i) => ({ i, pad: 'p'.repeat(20) })), id: 0, ns: 'shop.big' }, ok: 1 });
  c.server_(reply.subarray(0, 2000)).server_(reply.subarray(2000, 4000)).server_(reply.subarray(4000));
  c.client_(opMsg(2, { count: 'big', $db: 'shop' }));
  c.server_(opMsgReply(102, 2, { n: 200, ok: 1 }));
  c.close();
  const lost = reply.subarray(2000, 4000);
  const segs = c.segments.filter((s) => !(s.payload instanceof Buffer && s.payload.equals(lost)));
  const file = writeTempCapture(1, segs.map((s) => ethernet(tcpIp(s))), { name: 'mongodb-gap' });
  const events = await runCapture(file, { mongodb: { ports: [27017] } });
  const count = events.find((e) => e.fields['method'] === 'count');
  assert.equal(count?.fields['status'], 'OK');
  assert.equal((count?.fields['mongodb'] as Record<string, unknown>)['numberReturned'], 200);
  const find = events.find((e) => e.fields['method'] === 'find');
  assert.equal(find?.fields['status'], 'Error');
  assert.deepEqual(find?.fields['notes'], ['Response not found']);
});
