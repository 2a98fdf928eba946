// Through the real engine: a lost segment in the middle of a large result, with a later query on the connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, ethernet, tcpIp } from '../../../support/packetbeat/frames.js';
import { writeTempCapture } from '../../../support/packetbeat/temp-pcap.js';
import { runCapture } from '../../../support/packetbeat/run-capture.js';

const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const msg = (type: string, body: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([Buffer.from(type), i32(body.length + 4), body]);
const cs = (s: string): Buffer => Buffer.from(`${s}\0`);
const row = (v: string): Buffer => msg('D', Buffer.concat([Buffer.from([0, 1]), i32(v.length), Buffer.from(v)]));

test('engine: a lost segment of a result gives a note; the next query is read again', async () => {
  const c = new Conversation({ ip: '127.0.0.1', port: 53000 }, { ip: '127.0.0.1', port: 5432 }).handshake();
  c.client_(msg('Q', cs('SELECT v FROM big')));
  const result = Buffer.concat([
    msg('T', Buffer.concat([Buffer.from([0, 1]), cs('v'), Buffer.alloc(18)])),
    ...Array.from({ length: 300 }, (_, i) => row(`value-${i}`)),
    msg('C', cs('SELECT 300')),
    msg('Z', Buffer.from('I')),
  ]);
  c.server_(result.subarray(0, 1500)).server_(result.subarray(1500, 3000)).server_(result.subarray(3000));
  c.client_(msg('Q', cs('DELETE FROM big')));
  c.server_(Buffer.concat([msg('C', cs('DELETE 300')), msg('Z', Buffer.from('I'))]));
  c.close();
  const lost = result.subarray(1500, 3000);
  const segs = c.segments.filter((s) => !(s.payload instanceof Buffer && s.payload.equals(lost)));
  const file = writeTempCapture(1, segs.map((s) => ethernet(tcpIp(s))), { name: 'pgsql-gap' });
  const events = await runCapture(file, { pgsql: { ports: [5432] } });
  assert.equal(events[0]?.fields['query'], 'SELECT v FROM big');
  assert.deepEqual(events[0]?.fields['notes'], ['Packet loss while capturing the response']);
  const del = events.find((e) => e.fields['query'] === 'DELETE FROM big');
  assert.equal((del?.fields['pgsql'] as Record<string, unknown>)['tag'], 'DELETE 300');
  assert.equal(del?.fields['status'], 'OK');
});
