// memcache_text / memcache_binary (TCP) and memcache_udp decoded by the memcache plugin fed straight from the pcaps:
// every expected transaction, in order, with its request and response frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { createMemcacheProtocol } from '../../../../src/beats/packetbeat/protos/memcache/index.js';
import { assertMemcacheMatches } from './memcache-expect.js';
import { CAPTURES, collectingContext, feedFrames, loadExpected, readPcap } from '../redis/pcap-feed.js';

type Obj = Record<string, unknown>;


for (const name of ['memcache_text', 'memcache_binary', 'memcache_udp']) {
  test(`${name}.pcap: every expected transaction`, () => {
    const events: BeatEvent[] = [];
    const proto = createMemcacheProtocol(new ConfigNode({ ports: [21211], parseunknown: true }), collectingContext(events));
    feedFrames(proto, readPcap(`${CAPTURES}/${name}.pcap`), { frameClock: true });
    const expected = loadExpected(name);
    assert.equal(events.length, expected.length);
    expected.forEach((exp, i) => assertMemcacheMatches(events[i]!, exp, i, true));
  });
}

test('memcache_text.pcap without parseunknown: the unknown command is not reported, the rest is unchanged', () => {
  const events: BeatEvent[] = [];
  const proto = createMemcacheProtocol(new ConfigNode({ ports: [21211] }), collectingContext(events));
  feedFrames(proto, readPcap(`${CAPTURES}/memcache_text.pcap`), { frameClock: true });
  const expected = loadExpected('memcache_text').filter((e) => e['method'] !== 'bogus_command');
  assert.equal(events.length, expected.length);
  expected.forEach((exp, i) => assertMemcacheMatches(events[i]!, exp, i, true));
});

test('maxvalues / maxbytespervalue put the values in the events', () => {
  const events: BeatEvent[] = [];
  const cfg = new ConfigNode({ ports: [21211], maxvalues: -1, maxbytespervalue: 8 });
  feedFrames(createMemcacheProtocol(cfg, collectingContext(events)), readPcap(`${CAPTURES}/memcache_text.pcap`));
  const mc = (i: number): Obj => events[i]!.fields['memcache'] as Obj;
  assert.deepEqual((mc(0)['request'] as Obj)['values'], ['hello wo']);
  assert.deepEqual((mc(1)['response'] as Obj)['values'], ['hello wo']);
  const one: BeatEvent[] = [];
  feedFrames(createMemcacheProtocol(new ConfigNode({ ports: [21211], maxvalues: 1 }), collectingContext(one)), readPcap(`${CAPTURES}/memcache_text.pcap`));
  const gets = one.find((e) => e.fields['method'] === 'gets')!.fields['memcache'] as Obj;
  assert.equal(((gets['response'] as Obj)['values'] as unknown[]).length, 1);
  assert.equal((gets['response'] as Obj)['count_values'], 2);
});
