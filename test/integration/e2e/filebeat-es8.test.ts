import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEsServer } from '../../support/es-server/server.js';
import { E2eSandbox, FILEBEAT, metricFromLog, startBeat, tally, utcDay } from './helpers.js';

// `filebeat -once` through the real CLI into the ES test server acting as 8.x, with the three kinds of trouble a
// cluster gives: connections dropped without an answer, whole requests refused (503), single items pushed back (429) and documents it will never take
// (a mapping error: a JSON-decoded `status` that is a string where the index maps a long).

const LINES = 3000;
const isBad = (n: number) => n % 40 === 17;

describe('e2e: filebeat -once → Elasticsearch 8.x (test server) with 503s, 429s and mapping errors', () => {
  it('indexes every good line at least once, drops and counts the bad ones, daily index, no _type, template installed', async () => {
    const es = await startEsServer({ version: '8.11.1', faults: { dropFirst: 2, fail503First: 3, every429: 7, mappingErrors: { status: 'long' } } });
    const sb = new E2eSandbox();
    try {
      const log = join(sb.logs, 'app.json');
      let text = '';
      for (let n = 0; n < LINES; n++) text += JSON.stringify({ n, status: isBad(n) ? 'oops' : 200, msg: `request ${n}` }) + '\n';
      writeFileSync(log, text);
      sb.filebeat(
        [log],
        { elasticsearch: { hosts: [es.url], bulk_max_size: 250, flush_interval: '20ms', backoff: { init: '20ms', max: '200ms' } } },
        { prospector: { json: { keys_under_root: true } }, top: { logging: { level: 'info', metrics: { enabled: true, period: '100ms' } } } },
      );
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());

      const docs = es.docs('*');
      const good = Array.from({ length: LINES }, (_, n) => n).filter((n) => !isBad(n));
      const bad = LINES - good.length;
      const t = tally(good, docs.map((d) => d._source['n'] as number));
      assert.deepEqual(t.lost, [], 'no good line lost');
      assert.deepEqual(t.unexpected, [], 'no bad line indexed');
      // 429 items are sent again alone, so a clean run indexes each good line exactly once.
      assert.equal(t.duplicates, 0, 'no good line indexed twice');

      for (const d of docs) {
        assert.equal(d._index, `filebeat-${utcDay(d._source['@timestamp'] as string)}`, 'daily index from @timestamp');
        assert.equal(d._type, undefined, 'no _type on 8.x');
        assert.equal(d._source['type'], 'log');
        assert.equal(d._source['source'], log);
        assert.equal(typeof d._source['offset'], 'number');
      }
      assert.equal(es.stats.typeRejected, 0, 'no bulk action line carried _type (8.x would refuse the whole request)');
      assert.equal(es.stats.droppedConnections, 2, 'two bulk requests lost their connection without an answer');
      assert.equal(es.stats.answered503, 3);
      assert.ok(es.stats.answered429 > 0, '429s were answered');
      assert.equal(es.stats.mappingRejected, bad, 'each bad line was sent once and refused once (never retried)');

      // Dropped and counted: the ERROR lines and the libbeat.es.dropped_events counter.
      let logged = 0;
      for (const m of fb.stderr().matchAll(/will not index (\d+) of \d+ events/g)) logged += Number(m[1]);
      assert.equal(logged, bad, 'the drop is logged with its count');
      const dropped = metricFromLog(fb.stderr(), 'libbeat.es.dropped_events');
      assert.equal(dropped.total ?? dropped.periodic, bad, `libbeat.es.dropped_events counts the drops\n${fb.stderr().slice(-3000)}`);
      const acked = metricFromLog(fb.stderr(), 'libbeat.es.published_and_acked_events');
      assert.equal(acked.total ?? acked.periodic, good.length, 'libbeat.es.published_and_acked_events counts the indexed lines');

      // The filebeat template, composable on 8.x, covering the daily indices.
      const tpl = es.indexTemplates.get('filebeat');
      assert.ok(tpl, 'filebeat index template installed');
      assert.deepEqual(tpl['index_patterns'], ['filebeat-*']);
      const props = ((tpl['template'] as Record<string, unknown>)['mappings'] as { properties: Record<string, { type?: string }> }).properties;
      assert.equal(props['offset']?.type, 'long');
      assert.equal(props['source']?.type, 'keyword');
      assert.equal(es.templates.size, 0, 'no legacy template on 8.x');

      // Every line acknowledged, the dropped ones included: the registry reached the end of the file.
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, statSync(log).size);
    } finally {
      await es.close();
      sb.remove();
    }
  });
});
