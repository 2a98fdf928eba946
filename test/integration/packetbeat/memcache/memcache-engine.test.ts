// The memcache captures through the whole Packetbeat engine: TCP (text, binary) and UDP on the same port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { assertMemcacheMatches } from './memcache-expect.js';
import { CAPTURES, loadExpected } from '../redis/pcap-feed.js';

for (const name of ['memcache_text', 'memcache_binary', 'memcache_udp']) {
  test(`engine: ${name}.pcap gives every expected transaction`, async () => {
    const events = await runCapture(`${CAPTURES}/${name}.pcap`, { memcache: { ports: [21211], parseunknown: true } });
    const expected = loadExpected(name);
    assert.equal(events.length, expected.length);
    expected.forEach((exp, i) => assertMemcacheMatches(events[i]!, exp, i, false));
  });
}
