import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { parseFilebeatConfig, parseProspector } from '../../../src/beats/filebeat/config.js';
import { createEventBuilder } from '../../../src/beats/filebeat/harvester/event-builder.js';
import { convertLsfConfig } from '../../../src/beats/filebeat/lsf/convert.js';

const node = (raw: unknown) => new ConfigNode(raw, 'f.yml');

describe('filebeat config', () => {
  it('applies Beats defaults', () => {
    const c = parseFilebeatConfig(node({ filebeat: { prospectors: [{ paths: ['/var/log/*.log'] }] } }));
    const p = c.prospectors[0]!;
    assert.equal(c.spoolSize, 2048);
    assert.match(c.registryFile, /\.filebeat$/);
    assert.equal(p.documentType, 'log');
    assert.equal(p.scanFrequencyMs, 10_000);
    assert.equal(p.bufferSize, 16384);
    assert.equal(p.backoffMs, 1000);
    assert.equal(p.maxBackoffMs, 10_000);
    assert.equal(p.closeInactiveMs, 300_000);
    assert.equal(p.closeRemoved, true);
    assert.equal(p.closeRenamed, false);
    assert.equal(p.maxBytes, 10 * 1024 * 1024);
  });

  it('reports mistakes with the option path', () => {
    const cases: [unknown, RegExp][] = [
      [{ filebeat: {} }, /filebeat\.prospectors: at least one prospector/],
      [{ filebeat: { prospectors: [{}] } }, /filebeat\.prospectors\.0\.paths: at least one path/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], encoding: 'klingon' }] } }, /prospectors\.0\.encoding: unknown encoding "klingon"/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], scan_frequency: 'often' }] } }, /prospectors\.0\.scan_frequency: must be a duration/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], include_lines: ['(unclosed'] }] } }, /prospectors\.0\.include_lines\.0: is not a valid regular expression/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], multiline: { negate: true } }] } }, /multiline\.pattern: is required/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], ignore_older: '1h', clean_inactive: '30m' }] } }, /clean_inactive: must be greater than ignore_older/],
      [{ filebeat: { prospectors: [{ paths: ['/x'], input_type: 'udp' }] } }, /input_type: must be one of log, stdin/],
    ];
    for (const [raw, re] of cases) assert.throws(() => parseFilebeatConfig(node(raw)), re);
  });

  it('force_close_files closes renamed and removed files; config_dir adds prospectors', () => {
    const p = parseProspector(node({ paths: ['/x'], force_close_files: true, close_removed: false }));
    assert.equal(p.closeRenamed, true);
    assert.equal(p.closeRemoved, true);
    const dir = mkdtempSync(join(tmpdir(), 'fb-cfg-'));
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'a.yml'), 'filebeat:\n  prospectors:\n    - paths: [/a/*.log]\n      document_type: a\n');
    const c = parseFilebeatConfig(new ConfigNode({ filebeat: { config_dir: 'conf.d', prospectors: [{ paths: ['/b'] }] } }, join(dir, 'filebeat.yml')));
    assert.deepEqual(c.prospectors.map((x) => x.documentType), ['log', 'a']);
  });
});

describe('event builder', () => {
  const msg = (text: string) => ({ text, offset: 10, end: 20, lines: 1, truncated: false });
  it('builds 1.0 fields; include_lines then exclude_lines; fields_under_root', () => {
    const b = createEventBuilder(parseProspector(node({ paths: ['/x'], include_lines: ['^ERR', '^WARN'], exclude_lines: ['ignore'], fields: { app: 'a' }, document_type: 'app' })));
    assert.deepEqual(b(msg('ERR boom'), '/x'), { message: 'ERR boom', offset: 10, source: '/x', type: 'app', input_type: 'log', fields: { app: 'a' } });
    assert.equal(b(msg('INFO ok'), '/x'), null);
    assert.equal(b(msg('WARN ignore me'), '/x'), null);
    const root = createEventBuilder(parseProspector(node({ paths: ['/x'], fields: { app: 'a' }, fields_under_root: true })));
    assert.equal(root(msg('m'), '/x')!['app'], 'a');
  });

  it('decodes JSON lines under json or at the root, with json_error on bad input', () => {
    const under = createEventBuilder(parseProspector(node({ paths: ['/x'], json: { add_error_key: true } })));
    assert.deepEqual(under(msg('{"a":1,"message":"hi"}'), '/x')!['json'], { a: 1, message: 'hi' });
    const bad = under(msg('{oops'), '/x')!;
    assert.equal(bad['message'], '{oops');
    assert.match(bad['json_error'] as string, /Error decoding JSON/);
    const root = createEventBuilder(parseProspector(node({ paths: ['/x'], json: { keys_under_root: true, message_key: 'msg' }, exclude_lines: ['^debug'] })));
    const e = root(msg('{"msg":"hello","type":"x","level":"info"}'), '/x')!;
    assert.equal(e['level'], 'info');
    assert.equal(e['type'], 'log', 'type is not overwritten without overwrite_keys');
    assert.equal(root(msg('{"msg":"debug stuff"}'), '/x'), null, 'filters apply to message_key');
    const ow = createEventBuilder(parseProspector(node({ paths: ['/x'], json: { keys_under_root: true, overwrite_keys: true } })));
    assert.equal(ow(msg('{"type":"x"}'), '/x')!['type'], 'x');
  });
});

describe('Logstash Forwarder config conversion', () => {
  it('maps files, fields, dead time, servers and ssl', () => {
    const lsf = `{
      # comment lines are allowed
      "network": { "servers": ["ls1:5043", "ls2:5043"], "ssl ca": "/etc/ca.crt", "ssl certificate": "/etc/c.crt", "ssl key": "/etc/c.key", "timeout": 15 },
      "files": [
        { "paths": ["/var/log/messages", "/var/log/*.log"], "fields": { "type": "syslog", "env": "prod" }, "dead time": "12h" },
        { "paths": ["-"], "fields": { "type": "stdin" } }
      ]
    }`;
    const out = convertLsfConfig(lsf) as { filebeat: { prospectors: Record<string, unknown>[] }; output: { logstash: Record<string, unknown> } };
    assert.deepEqual(out.filebeat.prospectors[0], {
      paths: ['/var/log/messages', '/var/log/*.log'],
      document_type: 'syslog',
      fields: { env: 'prod' },
      fields_under_root: true,
      ignore_older: '12h',
      close_inactive: '12h',
    });
    assert.deepEqual(out.filebeat.prospectors[1], { input_type: 'stdin', document_type: 'stdin' });
    assert.deepEqual(out.output.logstash, {
      hosts: ['ls1:5043', 'ls2:5043'],
      timeout: 15,
      tls: { certificate_authorities: ['/etc/ca.crt'], certificate: '/etc/c.crt', certificate_key: '/etc/c.key' },
    });
    // and the result is a valid Filebeat config
    assert.equal(parseFilebeatConfig(node(out)).prospectors.length, 2);
    assert.throws(() => convertLsfConfig('{"files": []}'), /at least one entry/);
  });
});
