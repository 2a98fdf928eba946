import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveWindow } from '../../../src/libbeat/outputs/logstash/window.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { readLogstashSettings } from '../../../src/libbeat/outputs/logstash/config.js';

describe('logstash adaptive window', () => {
  it('starts at 10, grows by half on full windows up to bulk_max_size, halves on timeouts down to 1', () => {
    const w = new AdaptiveWindow(100);
    assert.equal(w.size, 10);
    w.grow(5); // a partial window proves nothing
    assert.equal(w.size, 10);
    for (let i = 0; i < 10; i++) w.grow(w.size);
    assert.deepEqual(w.history, [10, 15, 23, 35, 53, 80, 100]);
    for (let i = 0; i < 10; i++) w.shrink();
    assert.equal(w.size, 1);
    w.grow(1); // window 1 must grow (Beats 1.0 bug #598: 1 + 1/2 = 1)
    assert.equal(w.size, 2);
    assert.equal(new AdaptiveWindow(4).size, 4);
  });

  it('reads the output options with Beats defaults and rejects bad ones naming the option', () => {
    const s = readLogstashSettings(new ConfigNode({ hosts: ['a', 'b:5045', '[::1]:7000', '10.0.0.1'] }, 'x.yml', 'output.logstash'), 'filebeat');
    assert.deepEqual(s.hosts, [
      { host: 'a', port: 5044 },
      { host: 'b', port: 5045 },
      { host: '::1', port: 7000 },
      { host: '10.0.0.1', port: 5044 },
    ]);
    assert.equal(s.index, 'filebeat');
    assert.equal(s.loadbalance, false);
    assert.equal(s.timeoutMs, 30_000);
    assert.equal(s.compressionLevel, 3);
    assert.equal(s.bulkMaxSize, 2048);
    assert.equal(s.maxRetries, 3);
    assert.equal(s.tls, undefined);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{}, /x\.yml: output\.logstash\.hosts: is required/],
      [{ hosts: ['a:99999'] }, /output\.logstash\.hosts\.0: must be host or host:port/],
      [{ hosts: ['a'], compression_level: 10 }, /output\.logstash\.compression_level: must be at most 9, got 10/],
      [{ hosts: ['a'], timeout: 'soon' }, /output\.logstash\.timeout: must be a duration/],
      [{ hosts: ['a'], bulk_max_size: 0 }, /output\.logstash\.bulk_max_size: must be at least 1/],
      [{ hosts: ['a'], tls: { certificate: '/nonexistent.pem', certificate_key: '/nonexistent.key' } }, /output\.logstash\.tls\.certificate: cannot read/],
    ];
    for (const [raw, re] of bad) assert.throws(() => readLogstashSettings(new ConfigNode(raw, 'x.yml', 'output.logstash'), 'fb'), re);
  });
});
