// Against a real Logstash beats input, when one is given: LOGSTASH_HOSTS=host:5044[,host2:5044].
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { Registry } from '../../../src/libbeat/monitoring/registry.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { createLogstashOutput } from '../../../src/libbeat/outputs/logstash/index.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { startPipeline } from '../../support/pipeline-harness.js';

const hosts = (process.env['LOGSTASH_HOSTS'] ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');

describe('logstash output against a real Logstash', () => {
  for (const level of [0, 3]) {
    it(`every event is acknowledged by Logstash (compression_level ${level})`, async (t) => {
      if (hosts.length === 0) return t.skip('LOGSTASH_HOSTS is not set (e.g. LOGSTASH_HOSTS=127.0.0.1:5044): no real Logstash to test against');
      const metrics = new Registry();
      const out = await createLogstashOutput(
        new ConfigNode({ hosts, compression_level: level, bulk_max_size: 512, loadbalance: hosts.length > 1, timeout: '10s' }, undefined, 'output.logstash'),
        { beat: { beat: 'testbeat', version: '0', name: 'h', hostname: 'h' }, log: nopLogger, metrics },
      );
      const { pipeline } = startPipeline({ logstash: { ...out, flushIntervalMs: 0 } });
      try {
        let acked = 0;
        const c = pipeline.connect({ guaranteed: true, onAck: (_p, n) => void (acked += n) });
        for (let i = 0; i < 5000; i++) {
          const p = c.publish(makeEvent(i, { message: `real logstash ${i}` }));
          if (p) await p;
        }
        await c.flush();
        assert.equal(acked, 5000);
        assert.ok(metrics.snapshot()['libbeat.logstash.published_and_acked_events']! >= 5000);
      } finally {
        await pipeline.close(2000);
      }
    });
  }
});
