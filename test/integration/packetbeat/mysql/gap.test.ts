// Through the real engine: lost segments (a gap in the TCP stream) and a capture that starts mid-connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, ethernet, tcpIp } from '../../../support/packetbeat/frames.js';
import { writeTempCapture } from '../../../support/packetbeat/temp-pcap.js';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { coldef, command, eof, lenenc, ok, pkt, textRow } from '../../../unit/packetbeat/protos/mysql/wire.js';

const resultSet = (rows: number): Buffer =>
  Buffer.concat([pkt(1, lenenc(1)), pkt(2, coldef('db', 't', 'a')), pkt(3, eof()), ...Array.from({ length: rows }, (_, i) => pkt(4 + i, textRow([String(i)]))), pkt(4 + rows, eof())]);

test('engine: a lost response segment gives a note, later queries are read again', async () => {
  const c = new Conversation({ ip: '127.0.0.1', port: 52000 }, { ip: '127.0.0.1', port: 3306 }).handshake();
  c.client_(pkt(0, command(3, 'SELECT a FROM t')));
  const big = resultSet(200);
  c.server_(big.subarray(0, 1000)).server_(big.subarray(1000, 2000)).server_(big.subarray(2000));
  c.client_(pkt(0, command(3, 'UPDATE t SET a = 1')));
  c.server_(pkt(1, ok(3)));
  c.close();
  const segs = c.segments.filter((s) => !(typeof s.payload !== 'string' && s.payload?.equals(big.subarray(1000, 2000))));
  assert.equal(segs.length, c.segments.length - 1);
  const file = writeTempCapture(1, segs.map((s) => ethernet(tcpIp(s))), { name: 'mysql-gap' });
  const events = await runCapture(file, { mysql: { ports: [3306] } });
  assert.equal(events[0]?.fields['query'], 'SELECT a FROM t');
  assert.deepEqual(events[0]?.fields['notes'], ['Packet loss while capturing the response']);
  const upd = events.find((e) => e.fields['query'] === 'UPDATE t SET a = 1');
  assert.equal((upd?.fields['mysql'] as Record<string, unknown>)['affected_rows'], 3);
});

test('engine: a capture that starts after the login (no handshake seen) is decoded', async () => {
  const c = new Conversation({ ip: '127.0.0.1', port: 52001 }, { ip: '127.0.0.1', port: 3306 });
  c.client_(pkt(0, command(3, 'SELECT a FROM t')));
  c.server_(resultSet(2));
  const file = writeTempCapture(1, c.segments.map((s) => ethernet(tcpIp(s))), { name: 'mysql-mid' });
  const events = await runCapture(file, { mysql: { ports: [3306] } });
  assert.equal(events.length, 1);
  assert.equal((events[0]!.fields['mysql'] as Record<string, unknown>)['num_rows'], 2);
});
