// The redis, memcache and thrift plugins (parsers plus correlation and event building) fed the shared captures with
// seeded corruption: bit flips, random bytes, truncated and duplicated segments, random re-chunking. Nothing may
// throw, every call must return, and pending state must stay bounded (everything is flushed at the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import type { Protocol, ProtocolFactory } from '../../../../src/beats/packetbeat/protos/protocol.js';
import { createRedisProtocol } from '../../../../src/beats/packetbeat/protos/redis/index.js';
import { createMemcacheProtocol } from '../../../../src/beats/packetbeat/protos/memcache/index.js';
import { createThriftProtocol } from '../../../../src/beats/packetbeat/protos/thrift/index.js';
import { seededRandom } from '../../../support/random.js';
import { CAPTURES, collectingContext, feedFrames, readPcap, type Frame } from './pcap-feed.js';

function mutate(frames: readonly Frame[], rnd: () => number): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    const r = rnd();
    if (r < 0.05) continue; // lost
    let payload = Buffer.from(f.payload);
    if (payload.length > 0) {
      if (r < 0.25) for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const j = Math.floor(rnd() * payload.length);
        payload[j] = payload[j]! ^ (1 << Math.floor(rnd() * 8));
      }
      else if (r < 0.3) for (let k = 0; k < payload.length; k++) payload[k] = Math.floor(rnd() * 256);
      else if (r < 0.35) payload = payload.subarray(0, Math.floor(rnd() * payload.length));
    }
    // Re-chunk: split the payload in up to 3 pieces.
    let pos = 0;
    while (pos < payload.length || (payload.length === 0 && pos === 0)) {
      const n = payload.length === 0 ? 0 : 1 + Math.floor(rnd() * payload.length);
      out.push({ ...f, payload: payload.subarray(pos, pos + n) });
      pos += Math.max(n, 1);
    }
    if (rnd() < 0.03) out.push({ ...f, payload }); // duplicated
  }
  return out;
}

const CASES: Array<[string, ProtocolFactory, Record<string, unknown>, string[]]> = [
  ['redis', createRedisProtocol, { ports: [16379] }, ['redis']],
  ['memcache', createMemcacheProtocol, { ports: [21211], parseunknown: true, maxvalues: -1 }, ['memcache_text', 'memcache_binary', 'memcache_udp']],
  ['thrift', createThriftProtocol, { ports: [19090, 19091], string_max_size: 10 }, ['thrift_unframed', 'thrift_framed']],
];

for (const [name, factory, cfg, captures] of CASES) {
  test(`fuzz: ${name} plugin on corrupted captures never throws`, () => {
    const rnd = seededRandom(name.length * 7919);
    for (const cap of captures) {
      const frames = readPcap(`${CAPTURES}/${cap}.pcap`);
      const rounds = cap === 'redis' ? 20 : 150;
      for (let round = 0; round < rounds; round++) {
        const events: BeatEvent[] = [];
        const proto: Protocol = factory(new ConfigNode(cfg), collectingContext(events));
        feedFrames(proto, mutate(frames, rnd));
        proto.expire?.(Number.MAX_SAFE_INTEGER);
        for (const e of events) {
          assert.equal(e.fields['type'], name);
          JSON.stringify(e.fields);
        }
      }
    }
  });
}
