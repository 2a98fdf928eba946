import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEsServer } from '../../support/es-server/server.js';
import { E2eSandbox, FILEBEAT, numberedLines, startBeat, tally, waitFor } from './helpers.js';

// The long-running mode: filebeat (no -once) tails a growing file into the ES test server and is stopped with
// SIGTERM; lines written while it is down are picked up by the next run (`-once`) from the saved registry offset.
// Nothing is lost, and a clean stop means nothing is sent twice.

describe('e2e: filebeat run, SIGTERM, then -once → Elasticsearch (test server)', () => {
  it('resumes from the registry: every line indexed once across the two runs', async () => {
    const es = await startEsServer({ version: '8.11.1', faults: { every429: 13 } });
    const sb = new E2eSandbox();
    try {
      const log = join(sb.logs, 'app.log');
      writeFileSync(log, numberedLines('l', 0, 1000));
      sb.filebeat([log], { elasticsearch: { hosts: [es.url], bulk_max_size: 200, flush_interval: '20ms', backoff: { init: '20ms', max: '200ms' } } });
      const messages = () => es.docs('filebeat-*').map((d) => d._source['message'] as string);

      const first = startBeat(FILEBEAT, ['-c', sb.cfg, '-e']);
      await waitFor('the first 1000 lines', () => first.done() || messages().length >= 1000);
      assert.ok(!first.done(), first.stderr());
      // Lines appended while it runs are tailed.
      appendFileSync(log, numberedLines('l', 1000, 1500));
      await waitFor('the appended lines', () => first.done() || messages().length >= 1500);
      first.proc.kill('SIGTERM');
      const r1 = await first.exited;
      assert.equal(r1.code, 0, first.stderr());
      const size1 = statSync(log).size;
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, size1, 'clean stop saved the offset of the last acknowledged line');

      // Written while filebeat is down.
      appendFileSync(log, numberedLines('l', 1500, 2500));
      const second = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      const r2 = await second.exited;
      assert.equal(r2.code, 0, second.stderr());

      const t = tally(Array.from({ length: 2500 }, (_, i) => `l-${i}`), messages());
      assert.deepEqual(t.lost, [], 'no line lost across the restart');
      assert.deepEqual(t.unexpected, []);
      assert.equal(t.duplicates, 0, 'the second run started at the saved offset');
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, statSync(log).size);
      const offsets = es.docs('filebeat-*').filter((d) => d._source['message'] === 'l-1500').map((d) => d._source['offset']);
      assert.deepEqual(offsets, [size1], 'the first line of the second run carries its byte offset');
    } finally {
      await es.close();
      sb.remove();
    }
  });
});
