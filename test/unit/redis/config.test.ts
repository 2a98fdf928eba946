import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { readRedisSettings } from '../../../src/libbeat/outputs/redis/config.js';
import { makeEvent } from '../../support/in-memory-output.js';

const read = (raw: Record<string, unknown>) => readRedisSettings(new ConfigNode(raw, 'b.yml', 'output.redis'), 'topbeat');

describe('redis output options', () => {
  it('reads Beats 1.0 options with their defaults', () => {
    const s = read({ host: '10.0.0.5', password: 'pw', db: 2, timeout: 3, reconnect_interval: '250ms', datatype: 'channel' });
    assert.deepEqual(s.hosts, [{ host: '10.0.0.5', port: 6379 }]);
    assert.equal(s.password, 'pw');
    assert.equal(s.db, 2);
    assert.equal(s.timeoutMs, 3000);
    assert.equal(s.reconnectIntervalMs, 250);
    assert.equal(s.datatype, 'channel');
    assert.equal(s.key(makeEvent(1)), 'topbeat');
    const d = read({});
    assert.deepEqual(d.hosts, [{ host: 'localhost', port: 6379 }]);
    assert.equal(d.datatype, 'list');
    assert.equal(d.timeoutMs, 5000);
    assert.equal(d.reconnectIntervalMs, 1000);
    assert.equal(d.db, 0);
    assert.equal(d.tls, undefined);
    assert.equal(read({ index: 'idx' }).key.text, 'idx');
    assert.deepEqual(read({ host: 'r1', port: 7000 }).hosts, [{ host: 'r1', port: 7000 }]);
  });

  it('reads the later options: hosts, key formats', () => {
    const s = read({ hosts: ['a', 'b:7001'], key: 'logs-%{[fields.app]}-%{[type]}', index: 'ignored' });
    assert.deepEqual(s.hosts, [
      { host: 'a', port: 6379 },
      { host: 'b', port: 7001 },
    ]);
    assert.equal(s.key.isStatic, false);
    assert.equal(s.key(makeEvent(1, { fields: { app: 'web' } })), 'logs-web-test');
    assert.equal(s.key(makeEvent(1)), undefined, 'missing field');
    assert.equal(s.key(makeEvent(1, { fields: { app: { nested: 1 } } })), undefined, 'an object is no key');
    assert.equal(s.loadbalance, true);
  });

  it('rejects bad values naming the option', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ datatype: 'set' }, /b\.yml: output\.redis\.datatype: must be one of list, channel, got "set"/],
      [{ port: 0 }, /output\.redis\.port: must be at least 1/],
      [{ db: -1 }, /output\.redis\.db: must be at least 0/],
      [{ hosts: [] }, /output\.redis\.hosts: must list at least one/],
      [{ hosts: ['a:b'] }, /output\.redis\.hosts\.0: must be host or host:port/],
      [{ key: 'x-%{[unfinished' }, /output\.redis\.key: has an unfinished field reference/],
      [{ index: '' }, /output\.redis\.index: must not be empty/],
      [{ timeout: 'later' }, /output\.redis\.timeout: must be a duration/],
    ];
    for (const [raw, re] of bad) assert.throws(() => read(raw), re);
  });
});
