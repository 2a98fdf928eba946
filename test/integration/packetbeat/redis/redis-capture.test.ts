// redis.pcap (redis-cli one command at a time, including the 172 KB COMMAND DOCS reply, and redis-cli --pipe)
// decoded by the redis plugin fed straight from the pcap: every expected transaction, in order, with its frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { createRedisProtocol } from '../../../../src/beats/packetbeat/protos/redis/index.js';
import { CAPTURES, collectingContext, feedFrames, loadExpected, readPcap } from './pcap-feed.js';

/** Checks one redis event against one expected.json row (shared with the engine-driven test). */
export function assertRedisMatches(ev: BeatEvent, exp: Record<string, unknown>, i: number, frames: boolean): void {
  const f = ev.fields;
  const r = f['redis'] as Record<string, unknown>;
  const at = `transaction ${i} (${String(exp['query'])})`;
  assert.equal(f['type'], 'redis', at);
  assert.equal(f['client_ip'], exp['client_ip'], at);
  assert.equal(f['client_port'], exp['client_port'], at);
  assert.equal(f['ip'], exp['server_ip'], at);
  assert.equal(f['port'], exp['port'], at);
  assert.equal(f['method'], exp['method'], at);
  assert.equal(f['path'], exp['path'], at);
  const q = String(exp['query']);
  assert.equal(String(f['query']).slice(0, q.length), q, at);
  assert.equal(f['status'], exp['status'], at);
  assert.equal(r['reply_type'], exp['reply_type'], at);
  const rv = exp['return_value'];
  if (exp['reply_type'] === 'error') assert.equal(r['error'], rv, at);
  else if (exp['reply_type'] === 'nil') assert.equal(r['return_value'], 'nil', at);
  else if (exp['reply_type'] === 'array') assert.equal(r['array_length'], exp['array_length'], at);
  else if (typeof rv === 'string' && /^<\d+ bytes>$/.test(rv)) {
    const n = Number(rv.slice(1, -7));
    assert.ok(Buffer.byteLength(String(r['return_value'])) >= Math.min(n, 1024), at);
  } else assert.equal(r['return_value'], String(rv), at);
  if (frames) {
    assert.equal(ev.timestamp.getTime() / 1000, exp['request_frame'], at);
    assert.equal(f['responsetime'], ((exp['response_frame'] as number) - (exp['request_frame'] as number)) * 1000, at);
  }
}

test('redis.pcap: 29 transactions exactly as expected', () => {
  const events: BeatEvent[] = [];
  const proto = createRedisProtocol(new ConfigNode({ ports: [16379] }), collectingContext(events));
  feedFrames(proto, readPcap(`${CAPTURES}/redis.pcap`), { frameClock: true });
  const expected = loadExpected('redis');
  assert.equal(events.length, expected.length);
  expected.forEach((exp, i) => assertRedisMatches(events[i]!, exp, i, true));
  // COMMAND DOCS: the 172 KB reply is counted whole and its rendering stays bounded.
  const docs = events[0]!.fields;
  assert.ok((docs['bytes_out'] as number) > 170_000);
  assert.ok(String((docs['redis'] as Record<string, unknown>)['return_value']).length <= 1024 + 3);
});
