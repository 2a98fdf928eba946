import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import { testServerCluster } from './cluster.js';
import { droppedInLog, tmp, utcDay } from './run.js';

describe('filebeat -once into the ES test server', () => {
  it('ships a log file through 503s, 429s and mapping errors: good lines once, bad dropped, daily index, filebeat template', async () => {
    const cluster = await testServerCluster({ version: '8.11.1', faults: { fail503First: 2, every429: 9 } });
    try {
      const dir = tmp();
      mkdirSync(join(dir, 'logs'));
      const log = join(dir, 'logs', 'app.log');
      const lines = Array.from({ length: 1500 }, (_, i) => (i % 50 === 49 ? `bad line ${i}` : `GET /page/${i} 200`));
      writeFileSync(log, lines.join('\n') + '\n');
      const extra = join(dir, 'extra.fields.yml');
      writeFileSync(extra, '- key: test\n  fields:\n    - name: bad\n      type: long\n');
      const cfg = {
        filebeat: { prospectors: [{ paths: [join(dir, 'logs', '*.log')], scan_frequency: '100ms' }], registry_file: join(dir, 'registry'), registry_flush: '100ms' },
        processors: [{ add_fields: { target: '', fields: { bad: 'oops' }, when: { regexp: { message: '^bad' } } } }],
        output: {
          elasticsearch: {
            hosts: [cluster.url],
            bulk_max_size: 200,
            flush_interval: '20ms',
            backoff: { init: '20ms', max: '200ms' },
            template: { fields: [extra] },
          },
        },
        shutdown_timeout: '5s',
      };
      const file = join(dir, 'filebeat.yml');
      writeFileSync(file, JSON.stringify(cfg));
      const r = await runCli('bin/filebeat.js', ['-c', file, '-once', '-e'], { timeoutMs: 25_000 });
      assert.equal(r.code, 0, r.stderr);
      const s = cluster.server!;
      const docs = s.docs('filebeat-*');
      const good = lines.filter((l) => !l.startsWith('bad'));
      assert.deepEqual(docs.map((d) => d._source['message']).sort(), [...good].sort());
      for (const d of docs) {
        assert.equal(d._index, `filebeat-${utcDay(d._source['@timestamp'] as string)}`);
        assert.equal(d._type, undefined);
        assert.equal(d._source['source'], log);
      }
      assert.equal(droppedInLog(r.stderr), 30);
      assert.equal(s.stats.answered503, 2);
      assert.ok(s.stats.answered429 > 0);
      assert.equal(s.stats.typeRejected, 0);
      const tpl = s.indexTemplates.get('filebeat');
      assert.ok(tpl, 'filebeat template installed');
      const props = ((tpl['template'] as Record<string, unknown>)['mappings'] as Record<string, Record<string, Record<string, unknown>>>)['properties']!;
      assert.equal(props['offset']!['type'], 'long');
      assert.equal(props['message']!['type'], 'text');
      assert.equal(props['bad']!['type'], 'long');
      // Every line acknowledged (dropped ones included): the registry reached the end of the file.
      type State = { source: string; offset: number };
      const registry = JSON.parse(readFileSync(join(dir, 'registry'), 'utf8')) as State[] | Record<string, State>;
      const entry = (Array.isArray(registry) ? registry : Object.values(registry)).find((e) => e.source === log);
      assert.equal(entry?.offset, statSync(log).size);
    } finally {
      await cluster.close();
    }
  });
});
