// redis.pcap (redis-cli one command at a time, including the 172 KB COMMAND DOCS reply, and redis-cli --pipe)
// decoded by the redis plugin fed straight from the pcap: every expected transaction, in order, with its frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { createRedisProtocol } from '../../../../src/beats/packetbeat/protos/redis/index.js';
import { assertRedisMatches } from './redis-expect.js';
import { CAPTURES, collectingContext, feedFrames, loadExpected, readPcap } from './pcap-feed.js';


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
