import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beatFieldsFiles, loadFieldsFile, packageFieldsDir, parseFields } from '../../../src/libbeat/template/fields.js';
import { buildProperties } from '../../../src/libbeat/template/mapping.js';
import { buildTemplate, templateApi, userTemplate } from '../../../src/libbeat/template/template.js';
import { TemplateLoader } from '../../../src/libbeat/template/loader.js';
import { EsConnection } from '../../../src/libbeat/outputs/elasticsearch/connection.js';
import { startEsServer, type EsTestServer } from '../../support/es-server/server.js';
import { memoryLogger } from './helpers.js';

type M = Record<string, Record<string, unknown>>;
const FIELDS = `
- key: app
  title: App
  description: App fields.
  fields:
    - name: app
      type: group
      fields:
        - name: name
          type: keyword
          description: The name.
        - name: pid
          type: long
        - name: msg
          type: text
        - name: ratio
          type: scaled_float
          scaling_factor: 100
    - name: app.extra.flag
      type: boolean
    - name: raw
      type: object
      enabled: false
    - name: payload
      type: keyword
      index: false
      ignore_above: 20
`;

describe('fields files and templates', () => {
  it('parses a fields file and nests groups and dotted names', () => {
    const groups = parseFields(FIELDS, 'app.fields.yml');
    assert.equal(groups[0]!.key, 'app');
    assert.equal(groups[0]!.description, 'App fields.');
    const p = buildProperties(groups, 8) as M;
    const app = p['app']!['properties'] as M;
    assert.deepEqual(app['name'], { type: 'keyword', ignore_above: 1024 });
    assert.deepEqual(app['pid'], { type: 'long' });
    assert.deepEqual(app['msg'], { type: 'text' });
    assert.deepEqual(app['ratio'], { type: 'scaled_float', scaling_factor: 100 });
    assert.deepEqual((app['extra']!['properties'] as M)['flag'], { type: 'boolean' });
    assert.deepEqual(p['raw'], { type: 'object', enabled: false });
    assert.deepEqual(p['payload'], { type: 'keyword', ignore_above: 20, index: false });
  });

  it('maps strings the pre-5.0 way for 1.x/2.x clusters', () => {
    const p = buildProperties(parseFields(FIELDS, 'x'), 2) as M;
    const app = p['app']!['properties'] as M;
    assert.deepEqual(app['name'], { type: 'string', index: 'not_analyzed', ignore_above: 1024 });
    assert.deepEqual(app['msg'], { type: 'string', index: 'analyzed' });
    assert.deepEqual(app['ratio'], { type: 'float' });
    assert.deepEqual(p['payload'], { type: 'string', index: 'no', ignore_above: 20 });
  });

  it('names the file and entry of every mistake', () => {
    assert.throws(() => parseFields('- key: a\n  fields:\n    - type: long\n', 'f.yml'), /f\.yml: 0\.fields\.0\.name: is required/);
    assert.throws(() => parseFields('- key: a\n  fields:\n    - name: x\n      type: strnig\n', 'f.yml'), /f\.yml: 0\.fields\.0\.type: must be one of keyword/);
    assert.throws(() => parseFields('key: a\n', 'f.yml'), /f\.yml: \(top\): must be a list of groups/);
    assert.throws(() => parseFields('- title: no key\n', 'f.yml'), /f\.yml: 0\.key: is required/);
    assert.throws(() => parseFields('- key: a\n  fields: [ {name: x, ignore_above: -1} ]\n', 'f.yml'), /ignore_above: must be a positive number/);
    assert.throws(() => loadFieldsFile('/nonexistent/x.fields.yml'), /cannot read fields file \/nonexistent\/x\.fields\.yml: ENOENT/);
  });

  it("ships libbeat's common fields", () => {
    const p = buildProperties(loadFieldsFile(join(packageFieldsDir(), 'libbeat.fields.yml')), 8) as M;
    assert.equal(p['@timestamp']!['type'], 'date');
    assert.equal((p['beat']!['properties'] as M)['name']!['type'], 'keyword');
    assert.equal((p['beat']!['properties'] as M)['hostname']!['type'], 'keyword');
    assert.equal(p['type']!['type'], 'keyword');
    assert.equal(p['count']!['type'], 'integer');
    assert.equal(p['tags']!['type'], 'keyword');
    assert.equal(p['fields']!['type'], 'object');
  });

  it("every beat's fields file in etc/fields parses and builds a template", () => {
    const dir = packageFieldsDir();
    const files = readdirSync(dir).filter((f) => f.endsWith('.fields.yml'));
    assert.ok(files.includes('libbeat.fields.yml'));
    for (const f of files) {
      const beat = f.replace(/\.fields\.yml$/, '');
      const groups = beatFieldsFiles(beat).flatMap((x) => loadFieldsFile(x));
      for (const v of [{ major: 8, minor: 11 }, { major: 2, minor: 4 }]) {
        const t = buildTemplate({ name: beat, pattern: `${beat}-*`, groups, beat, beatVersion: '1.0.0' }, v);
        assert.ok(JSON.stringify(t.body).length > 100, f);
      }
    }
  });

  it("merges libbeat's, the beat's and extra fields files, later ones winning", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fields-'));
    writeFileSync(join(dir, 'libbeat.fields.yml'), '- key: beat\n  fields:\n    - name: beat.name\n      type: keyword\n    - name: count\n      type: integer\n');
    writeFileSync(join(dir, 'mybeat.fields.yml'), '- key: mine\n  fields:\n    - name: beat.version\n      type: keyword\n    - name: count\n      type: long\n');
    writeFileSync(join(dir, 'extra.yml'), '- key: extra\n  fields:\n    - name: extra\n      type: ip\n');
    const files = beatFieldsFiles('mybeat', [join(dir, 'extra.yml')], dir);
    assert.deepEqual(files, [join(dir, 'libbeat.fields.yml'), join(dir, 'mybeat.fields.yml'), join(dir, 'extra.yml')]);
    assert.deepEqual(beatFieldsFiles('otherbeat', [], dir), [join(dir, 'libbeat.fields.yml')]);
    const p = buildProperties(files.flatMap((f) => loadFieldsFile(f)), 8) as M;
    assert.deepEqual(Object.keys(p['beat']!['properties'] as M).sort(), ['name', 'version']);
    assert.equal(p['count']!['type'], 'long');
    assert.equal(p['extra']!['type'], 'ip');
  });

  it('builds composable templates for >= 7.8 and legacy ones before, shaped per version', () => {
    const spec = { name: 'fb', pattern: 'fb-*', groups: parseFields(FIELDS, 'x'), beat: 'filebeat', beatVersion: '1.0.0', settings: { number_of_shards: 1 } };
    assert.equal(templateApi({ major: 7, minor: 8 }), '_index_template');
    assert.equal(templateApi({ major: 7, minor: 7 }), '_template');
    const c = buildTemplate(spec, { major: 8, minor: 0 });
    assert.equal(c.api, '_index_template');
    assert.deepEqual(c.body['index_patterns'], ['fb-*']);
    const tpl = c.body['template'] as M;
    assert.deepEqual(tpl['settings'], { index: { refresh_interval: '5s', number_of_shards: 1 } });
    assert.ok((tpl['mappings']!['properties'] as M)['app']);
    assert.deepEqual((tpl['mappings']!['dynamic_templates'] as unknown[])[0], { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } });
    const l7 = buildTemplate(spec, { major: 7, minor: 4 });
    assert.equal(l7.api, '_template');
    assert.ok((l7.body['mappings'] as M)['properties']);
    const l6 = buildTemplate(spec, { major: 6, minor: 8 });
    assert.ok(((l6.body['mappings'] as M)['doc'] as M)['properties']);
    const l5 = buildTemplate(spec, { major: 5, minor: 6 });
    assert.equal(l5.body['template'], 'fb-*');
    assert.ok(((l5.body['mappings'] as M)['_default_'] as M)['properties']);
    const l1 = buildTemplate(spec, { major: 1, minor: 7 });
    assert.equal(((((l1.body['mappings'] as M)['_default_'] as M)['properties'] as M)['app']!['properties'] as M)['name']!['type'], 'string');
  });

  it('sends a user template to the API its shape belongs to', () => {
    assert.equal(userTemplate('x', { index_patterns: ['x-*'], template: { mappings: {} } }, { major: 8, minor: 1 }).api, '_index_template');
    assert.equal(userTemplate('x', { index_patterns: ['x-*'], mappings: {} }, { major: 8, minor: 1 }).api, '_template');
    assert.equal(userTemplate('x', { template: 'x-*', mappings: {} }, { major: 2, minor: 4 }).api, '_template');
    assert.throws(() => userTemplate('x', { index_patterns: ['x-*'], template: {} }, { major: 6, minor: 8 }), /composable template.*6\.8 does not support/);
  });

  describe('loader against the test server', () => {
    const servers: EsTestServer[] = [];
    const conns: EsConnection[] = [];
    after(async () => {
      for (const c of conns) await c.close();
      for (const s of servers) await s.close();
    });
    const setup = async (version: string) => {
      const s = await startEsServer({ version });
      servers.push(s);
      const conn = new EsConnection({ url: s.url, headers: {}, timeoutMs: 2000, compressionLevel: 0 });
      conns.push(conn);
      return { s, conn };
    };
    const spec = { name: 'fb', pattern: 'fb-*', groups: parseFields(FIELDS, 'x'), beat: 'filebeat', beatVersion: '1.0.0' };

    it('installs when missing, once, and leaves an existing one alone unless overwrite', async () => {
      const { s, conn } = await setup('8.11.1');
      const { log, lines } = memoryLogger();
      const loader = new TemplateLoader((v) => buildTemplate(spec, v), false, log);
      await loader.ensure(conn, { major: 8, minor: 11 });
      await loader.ensure(conn, { major: 8, minor: 11 });
      assert.equal(s.requests.filter((r) => r.method === 'PUT').length, 1);
      assert.ok(s.indexTemplates.get('fb'));
      assert.ok(lines.some((l) => l.includes('Installed index template fb (_index_template)')));
      s.indexTemplates.set('fb', { index_patterns: ['fb-*'], template: {}, _meta: { user: true } });
      await new TemplateLoader((v) => buildTemplate(spec, v), false, log).ensure(conn, { major: 8, minor: 11 });
      assert.deepEqual(s.indexTemplates.get('fb')!['_meta'], { user: true });
      await new TemplateLoader((v) => buildTemplate(spec, v), true, log).ensure(conn, { major: 8, minor: 11 });
      assert.deepEqual(s.indexTemplates.get('fb')!['_meta'], { beat: 'filebeat', version: '1.0.0' });
    });

    it('uses the legacy API on 5.x and reports a refused template, trying again next time', async () => {
      const { s, conn } = await setup('5.6.16');
      const { log } = memoryLogger();
      let bad = true;
      const loader = new TemplateLoader((v) => (bad ? { api: '_template', name: 'fb', body: { mappings: {} } } : buildTemplate(spec, v)), false, log);
      await assert.rejects(loader.ensure(conn, { major: 5, minor: 6 }), /installing template fb: PUT \/_template\/fb answered HTTP 400.*template is missing/);
      bad = false;
      await loader.ensure(conn, { major: 5, minor: 6 });
      assert.equal(s.templates.get('fb')!['template'], 'fb-*');
      assert.equal(s.indexTemplates.size, 0);
    });
  });
});
