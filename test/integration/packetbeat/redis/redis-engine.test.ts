// redis.pcap through the whole Packetbeat engine (pcap reader, decoder, TCP reassembly, the redis plugin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { assertRedisMatches } from './redis-expect.js';
import { CAPTURES, loadExpected } from './pcap-feed.js';

test('engine: redis.pcap gives the 29 expected transactions', async () => {
  const events = await runCapture(`${CAPTURES}/redis.pcap`, { redis: { ports: [16379] } });
  const expected = loadExpected('redis');
  assert.equal(events.length, expected.length);
  expected.forEach((exp, i) => assertRedisMatches(events[i]!, exp, i, false));
  assert.equal(events[0]!.fields['responsetime'], 1);
});
