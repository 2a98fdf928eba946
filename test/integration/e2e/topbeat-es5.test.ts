import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startEsServer } from '../../support/es-server/server.js';
import { E2eSandbox, TOPBEAT, metricFromLog, startBeat, utcDay, waitFor } from './helpers.js';

// The real topbeat CLI against the ES test server acting as 5.x: the bulk action lines carry `_type` (the event
// type, as Beats 1.0 sends it), the template goes to the legacy `_template` API, and the three kinds of documents
// arrive with their 1.0 fields.

const WANTED = ['system', 'process', 'filesystem'] as const;

describe('e2e: topbeat → Elasticsearch 5.x (test server)', { skip: process.platform === 'linux' ? false : 'topbeat reads /proc (Linux only)' }, () => {
  it('sends _type, installs the legacy template and ships system, process and filesystem documents', async () => {
    const es = await startEsServer({ version: '5.6.16' });
    const sb = new E2eSandbox();
    try {
      writeFileSync(
        sb.cfg,
        JSON.stringify({
          input: { period: 1, procs: ['^node$'] },
          output: { elasticsearch: { hosts: [es.url], flush_interval: '50ms', backoff: { init: '20ms', max: '200ms' } } },
          shutdown_timeout: '5s',
        }),
      );
      const tb = startBeat(TOPBEAT, ['-c', sb.cfg, '-e']);
      const types = () => new Set(es.docs('*').map((d) => d._source['type']));
      try {
        await waitFor('system, process and filesystem documents', () => tb.done() || WANTED.every((t) => types().has(t)), 25_000, 100);
      } finally {
        tb.proc.kill('SIGTERM');
      }
      const r = await tb.exited;
      assert.equal(r.code, 0, tb.stderr());

      const docs = es.docs('*');
      for (const t of WANTED) assert.ok(types().has(t), `a ${t} document arrived`);
      assert.equal(es.stats.typeRejected, 0, 'every bulk action line carried _type (5.x requires it)');
      for (const d of docs) {
        assert.equal(d._type, d._source['type'], '_type is the event type');
        assert.equal(d._index, `topbeat-${utcDay(d._source['@timestamp'] as string)}`);
        assert.equal(d._source['count'], 1);
        assert.equal(typeof (d._source['beat'] as Record<string, unknown>)['hostname'], 'string');
      }
      const sys = docs.find((d) => d._source['type'] === 'system')!._source;
      for (const k of ['load', 'cpu', 'mem', 'swap']) assert.ok(k in sys, `system document has ${k}`);
      const proc = docs.find((d) => d._source['type'] === 'process')!._source['proc'] as Record<string, unknown>;
      for (const k of ['pid', 'ppid', 'name', 'state', 'cpu', 'mem']) assert.ok(k in proc, `process document has proc.${k}`);
      const fs = docs.find((d) => d._source['type'] === 'filesystem')!._source['fs'] as Record<string, unknown>;
      for (const k of ['mount_point', 'total', 'used', 'free']) assert.ok(k in fs, `filesystem document has fs.${k}`);

      // Legacy template (5.x has no composable templates), with the 5.x `template` pattern key.
      assert.equal(es.indexTemplates.size, 0, 'no _index_template on 5.x');
      const tpl = es.templates.get('topbeat');
      assert.ok(tpl, 'topbeat template installed with PUT /_template/topbeat');
      assert.equal(tpl['template'], 'topbeat-*');
      const dflt = (tpl['mappings'] as Record<string, { properties?: Record<string, unknown> }>)['_default_'];
      assert.ok(dflt?.properties, 'the mapping applies to every _type (_default_)');
      for (const k of ['load', 'cpu', 'mem', 'proc', 'fs']) assert.ok(k in dflt.properties, `template maps ${k}`);
    } finally {
      await es.close();
      sb.remove();
    }
  });
  it('through an outage (503s) drops and counts what it cannot send after max_retries, then ships again', async () => {
    const es = await startEsServer({ version: '5.6.16', faults: { fail503First: 6 } });
    const sb = new E2eSandbox();
    try {
      writeFileSync(
        sb.cfg,
        JSON.stringify({
          input: { period: 0.3, procs: ['^node$'] },
          output: { elasticsearch: { hosts: [es.url], max_retries: 1, flush_interval: '50ms', backoff: { init: '20ms', max: '100ms' } } },
          logging: { level: 'info', metrics: { period: '200ms' } },
          shutdown_timeout: '2s',
        }),
      );
      const tb = startBeat(TOPBEAT, ['-c', sb.cfg, '-e']);
      try {
        // After the outage, two more rounds of documents (system documents of different timestamps) are indexed.
        await waitFor('documents after the outage', () => tb.done() || new Set(es.docs('*').filter((d) => d._source['type'] === 'system').map((d) => d._source['@timestamp'])).size >= 2, 25_000, 100);
      } finally {
        tb.proc.kill('SIGTERM');
      }
      const r = await tb.exited;
      assert.equal(r.code, 0, tb.stderr());
      assert.equal(es.stats.answered503, 6);
      // Topbeat is not a guaranteed publisher: after 1 + max_retries attempts the batch is dropped, logged and counted.
      let logged = 0;
      for (const m of tb.stderr().matchAll(/Dropped (\d+) events after 2 attempts to elasticsearch/g)) logged += Number(m[1]);
      assert.ok(logged > 0, `drops logged\n${tb.stderr().slice(-2000)}`);
      const counted = metricFromLog(tb.stderr(), 'libbeat.output.elasticsearch.events.dropped');
      assert.equal(counted.periodic, logged, 'libbeat.output.elasticsearch.events.dropped counts them');
      for (const d of es.docs('*')) assert.equal(d._type, d._source['type']);
    } finally {
      await es.close();
      sb.remove();
    }
  });
});
