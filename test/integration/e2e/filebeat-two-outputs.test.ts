import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEsServer } from '../../support/es-server/server.js';
import { E2eSandbox, FILEBEAT, numberedLines, startBeat, tally } from './helpers.js';

// `filebeat -once` through the real CLI with two outputs at once, the file output and Elasticsearch (test server,
// 8.x, refusing its first requests and some items): each output gets every line, and the slow, faulty one does
// not make the other lose or the registry skip anything.

const LINES = 3000;

describe('e2e: filebeat -once → file output and Elasticsearch at the same time', () => {
  it('each output gets every line; the registry ends at the end of the files', async () => {
    const es = await startEsServer({ version: '8.11.1', faults: { fail503First: 2, every429: 11, delayMs: 5 } });
    const sb = new E2eSandbox();
    try {
      const a = join(sb.logs, 'a.log');
      const b = join(sb.logs, 'b.log');
      writeFileSync(a, numberedLines('a', 0, LINES / 2));
      writeFileSync(b, numberedLines('b', 0, LINES / 2));
      sb.filebeat([join(sb.logs, '*.log')], {
        file: { path: sb.out, filename: 'filebeat', rotate_every_kb: 100000, number_of_files: 2 },
        elasticsearch: { hosts: [es.url], bulk_max_size: 200, flush_interval: '20ms', backoff: { init: '20ms', max: '200ms' } },
      });
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());

      const want = [...Array.from({ length: LINES / 2 }, (_, i) => `a-${i}`), ...Array.from({ length: LINES / 2 }, (_, i) => `b-${i}`)];
      const fileDocs = sb.fileDocs();
      const esDocs = es.docs('filebeat-*').map((d) => d._source);
      for (const [name, docs] of [['file', fileDocs], ['elasticsearch', esDocs]] as const) {
        const t = tally(want, docs.map((d) => d['message'] as string));
        assert.deepEqual(t.lost, [], `${name}: no line lost`);
        assert.deepEqual(t.unexpected, [], `${name}: nothing else`);
        assert.equal(t.duplicates, 0, `${name}: no line twice`);
        for (const d of docs) {
          assert.equal(d['type'], 'log');
          assert.ok(d['source'] === a || d['source'] === b, `${name}: source`);
        }
      }
      // Both outputs got the same events (same offsets and timestamps per line).
      const byMsg = new Map(fileDocs.map((d) => [d['message'], `${d['offset'] as number} ${d['@timestamp'] as string}`]));
      for (const d of esDocs) assert.equal(byMsg.get(d['message']), `${d['offset'] as number} ${d['@timestamp'] as string}`, 'the same event in both outputs');
      assert.equal(es.stats.answered503, 2);
      assert.ok(es.stats.answered429 > 0);

      const reg = sb.registryEntries();
      assert.equal(reg.find((e) => e.source === a)?.offset, statSync(a).size);
      assert.equal(reg.find((e) => e.source === b)?.offset, statSync(b).size);
    } finally {
      await es.close();
      sb.remove();
    }
  });
});
