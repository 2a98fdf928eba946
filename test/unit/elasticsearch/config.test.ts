import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHost, loadEsConfig } from '../../../src/libbeat/outputs/elasticsearch/config.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { ConfigError } from '../../../src/libbeat/common/errors.js';

const load = (raw: Record<string, unknown>) => loadEsConfig(new ConfigNode(raw, 'x.yml', 'output.elasticsearch'), 'filebeat');

describe('elasticsearch config', () => {
  it('parses hosts as Beats 1.0 does', () => {
    assert.equal(parseHost('localhost', 'http', ''), 'http://localhost:9200');
    assert.equal(parseHost('10.0.0.1:9201', 'http', ''), 'http://10.0.0.1:9201');
    assert.equal(parseHost('es.local', 'https', ''), 'https://es.local:9200');
    assert.equal(parseHost('https://es.local:9443/prefix/', 'http', 'ignored'), 'https://es.local:9443/prefix');
    assert.equal(parseHost('es.local:9200', 'http', '/es'), 'http://es.local:9200/es');
    assert.equal(parseHost('[::1]:9200', 'http', ''), 'http://[::1]:9200');
    assert.equal(parseHost('::1', 'http', ''), 'http://[::1]:9200');
    assert.equal(parseHost('https://[fe80::1]', 'http', ''), 'https://[fe80::1]:9200');
    assert.equal(parseHost('ftp://x', 'http', ''), undefined);
    assert.equal(parseHost('', 'http', ''), undefined);
  });

  it('has the Beats 1.0 defaults', () => {
    const c = load({});
    assert.deepEqual(c.hosts, ['http://localhost:9200']);
    assert.equal(c.index, 'filebeat');
    assert.equal(c.workers, 1);
    assert.equal(c.maxRetries, 3);
    assert.equal(c.bulkMaxSize, 50);
    assert.equal(c.flushIntervalMs, 1000);
    assert.equal(c.timeoutMs, 90_000);
    assert.equal(c.compressionLevel, 0);
    assert.equal(c.template.name, 'filebeat');
    assert.equal(c.template.pattern, 'filebeat-*');
    assert.equal(c.template.enabled, true);
    assert.equal(c.template.overwrite, false);
  });

  it('reads every option', () => {
    const c = load({
      hosts: ['a:1', 'https://b'],
      protocol: 'https',
      path: 'es',
      username: 'u',
      password: 'p',
      index: 'logs',
      worker: 2,
      loadbalance: false,
      max_retries: -1,
      bulk_max_size: 1000,
      flush_interval: '2s',
      timeout: 5,
      compression_level: 3,
      proxy_url: 'http://proxy:3128',
      headers: { 'X-Test': 'yes' },
      pipeline: 'geoip',
      backoff: { init: '50ms', max: '1s' },
      template: { name: 'tpl', overwrite: true, enabled: false },
    });
    assert.deepEqual(c.hosts, ['https://a:1/es', 'https://b:9200/es']);
    assert.equal(c.username, 'u');
    assert.equal(c.password, 'p');
    assert.equal(c.index, 'logs');
    assert.equal(c.template.pattern, 'logs-*');
    assert.equal(c.workers, 2);
    assert.equal(c.loadbalance, false);
    assert.equal(c.maxRetries, -1);
    assert.equal(c.flushIntervalMs, 2000);
    assert.equal(c.timeoutMs, 5000);
    assert.equal(c.compressionLevel, 3);
    assert.equal(c.proxyUrl, 'http://proxy:3128');
    assert.deepEqual(c.headers, { 'x-test': 'yes' });
    assert.equal(c.pipeline, 'geoip');
    assert.equal(c.backoffInitMs, 50);
    assert.equal(c.backoffMaxMs, 1000);
    assert.equal(c.template.name, 'tpl');
    assert.equal(c.template.enabled, false);
  });

  it('names the option in every mistake', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ hosts: ['ftp://x'] }, /output\.elasticsearch\.hosts\.0: must be host/],
      [{ compression_level: 12 }, /output\.elasticsearch\.compression_level/],
      [{ proxy_url: 'nope' }, /output\.elasticsearch\.proxy_url: must be an http\(s\) URL/],
      [{ index: 'Bad Index' }, /output\.elasticsearch\.index: must be a non-empty lowercase name/],
      [{ password: 'x' }, /output\.elasticsearch\.username: is required/],
      [{ protocol: 'udp' }, /output\.elasticsearch\.protocol: must be one of http, https/],
      [{ template: { path: '/nonexistent/t.json' } }, /output\.elasticsearch\.template\.path: cannot read/],
      [{ template: { fields: ['/nonexistent/x.fields.yml'] } }, /output\.elasticsearch\.template\.fields\.0: fields file \/nonexistent\/x\.fields\.yml does not exist/],
      [{ tls: { certificate_authorities: ['/nonexistent/ca.pem'] } }, /tls\.certificate_authorities\.0: cannot read/],
    ];
    for (const [raw, re] of cases) {
      assert.throws(() => load(raw), (err: unknown) => err instanceof ConfigError && re.test(err.message), JSON.stringify(raw));
    }
  });

  it('reads template.path JSON at startup and rejects invalid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-cfg-'));
    writeFileSync(join(dir, 'good.json'), '{"index_patterns":["x-*"],"template":{"mappings":{}}}');
    writeFileSync(join(dir, 'bad.json'), '{nope');
    assert.deepEqual(load({ template: { path: join(dir, 'good.json') } }).template.json, { index_patterns: ['x-*'], template: { mappings: {} } });
    assert.throws(() => load({ template: { path: join(dir, 'bad.json') } }), /template\.path: .*bad\.json is not valid JSON/);
  });
});
