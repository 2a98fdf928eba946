// Randomized faults between the pipeline and the receiver (seeded, reproducible): connections closed mid-window,
// partial ACKs, ACKs delayed past the timeout (stale windows and their late ACKs), several batches sharing a
// connection. Properties: every event arrives, and no event is acknowledged to the producer before the receiver
// had it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { Registry } from '../../../src/libbeat/monitoring/registry.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { createLogstashOutput } from '../../../src/libbeat/outputs/logstash/index.js';
import { LumberjackReceiver, type WindowInfo } from '../../support/lumberjack/receiver.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { startPipeline } from '../../support/pipeline-harness.js';
import { seededRandom } from '../../support/random.js';

describe('logstash output under random faults', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: every event arrives, none is acknowledged before it arrived`, async () => {
      const rnd = seededRandom(seed);
      const decide = new Map<number, { close?: number; partial?: number; delay: number }>();
      const plan = (w: WindowInfo) => {
        let d = decide.get(w.window);
        if (!d) {
          const r = rnd();
          d = {
            delay: r < 0.1 ? 250 : r < 0.3 ? Math.floor(rnd() * 40) : 0,
            ...(rnd() < 0.08 ? { close: 1 + Math.floor(rnd() * w.size) } : {}),
            ...(rnd() < 0.3 ? { partial: 1 + Math.floor(rnd() * 5) } : {}),
          };
          decide.set(w.window, d);
        }
        return d;
      };
      const rx = await LumberjackReceiver.start({
        faults: {
          closeAfter: (w) => plan(w).close,
          partialAckEvery: (w) => plan(w).partial,
          ackDelayMs: (w) => plan(w).delay,
        },
      });
      const metrics = new Registry();
      const out = await createLogstashOutput(
        new ConfigNode({ hosts: [rx.address], bulk_max_size: 60, timeout: '150ms', pipelining: 2 }, undefined, 'output.logstash'),
        { beat: { beat: 'testbeat', version: '0', name: 'h', hostname: 'h' }, log: nopLogger, metrics },
      );
      const { pipeline } = startPipeline({ ls: { ...out, backoff: { initMs: 2, maxMs: 10 }, flushIntervalMs: 0 } });
      const seen = new Set<number>();
      let scanned = 0;
      const early: number[] = [];
      let acked = 0;
      const N = 3000;
      try {
        const client = pipeline.connect({
          guaranteed: true,
          onAck: (privates) => {
            for (; scanned < rx.events.length; scanned++) seen.add(Number(rx.events[scanned]!.doc['n']));
            for (const p of privates) if (!seen.has(p as number)) early.push(p as number);
            acked += privates.length;
          },
        });
        for (let i = 0; i < N; i++) {
          const p = client.publish(makeEvent(i));
          if (p) await p;
        }
        await client.flush();
        assert.deepEqual(early, [], 'acknowledged before the receiver had them');
        assert.equal(acked, N);
        assert.deepEqual(rx.distinctNs(), Array.from({ length: N }, (_, i) => i));
        const snap = metrics.snapshot();
        assert.ok(snap['libbeat.logstash.ack_timeouts']! > 0 && snap['libbeat.logstash.reconnects']! > 0, JSON.stringify(snap));
      } finally {
        await pipeline.close(1000);
        await rx.close();
      }
    });
  }
});
