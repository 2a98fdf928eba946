import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { realCluster, testServerCluster, type Cluster } from './cluster.js';
import { droppedInLog, expectedGood, runTestbeat, testFields, tmp, utcDay } from './run.js';

/** Every 10th event (n ending in 7) gets `bad: "not-a-number"`, which the `bad: long` mapping rejects. */
const BAD_PROCESSOR = [{ add_fields: { target: '', fields: { bad: 'not-a-number' }, when: { regexp: { message: '7$' } } } }];
const isBad = (n: number) => n % 10 === 7;

interface Target {
  name: string;
  open(): Promise<Cluster | string>;
}

const targets: Target[] = [
  { name: 'test server 8.11 with faults', open: () => testServerCluster({ version: '8.11.1', faults: { fail503First: 3, every429: 7, dropFirst: 1 } }) },
  { name: 'real cluster (ES_URL)', open: () => realCluster() },
];

async function open(t: TestContext, target: Target): Promise<Cluster | undefined> {
  const c = await target.open();
  if (typeof c === 'string') {
    console.log(`# skipped: ${c}`);
    t.skip(c);
    return undefined;
  }
  return c;
}

for (const target of targets) {
  describe(`elasticsearch delivery through the CLI: ${target.name}`, () => {
    it('delivers every good event through 503s, 429s and dropped connections; drops and counts mapping errors; daily indices; template installed', async (t) => {
      const cluster = await open(t, target);
      if (!cluster) return;
      try {
        await cluster.reset('testbeat-*', 'testbeat');
        const dir = tmp();
        const count = 2000;
        const r = await runTestbeat(cluster, dir, { testbeat: { count }, shipper: { name: 'it-shipper' }, processors: BAD_PROCESSOR }, {
          bulk_max_size: 100,
          worker: 2,
          template: { fields: [testFields(dir)] },
        });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`acked ${count}`));
        const docs = await cluster.search('testbeat-*');
        const ns = docs.map((d) => d._source['n'] as number).sort((a, b) => a - b);
        assert.deepEqual(ns, expectedGood(count, isBad), 'every good event exactly once, no bad one');
        for (const d of docs) {
          assert.equal(d._index, `testbeat-${utcDay(d._source['@timestamp'] as string)}`);
          assert.equal((d._source['beat'] as Record<string, unknown>)['name'], 'it-shipper');
          if (cluster.major >= 7) assert.equal(d._type === undefined || d._type === '_doc', true, `no _type on ${cluster.major}.x`);
        }
        assert.equal(droppedInLog(r.stderr), count / 10, 'bad events dropped, counted and logged');
        assert.match(r.stderr, /mapper_parsing_exception/);
        const composable = cluster.major > 7 || (cluster.major === 7 && cluster.minor >= 8);
        const tpl = await cluster.template(composable ? '_index_template' : '_template', 'testbeat');
        assert.ok(tpl, 'template installed');
        const props = ((composable ? (tpl['template'] as Record<string, unknown>)['mappings'] : tpl['mappings']) as Record<string, Record<string, unknown>>)['properties']!;
        assert.equal((props['bad'] as Record<string, unknown>)['type'], 'long');
        assert.equal((((props['beat'] as Record<string, unknown>)['properties'] as Record<string, Record<string, unknown>>)['name'])!['type'], 'keyword');
        if (cluster.server) {
          const s = cluster.server.stats;
          assert.equal(s.answered503, 3);
          assert.equal(s.droppedConnections, 1);
          assert.ok(s.answered429 > 0);
          assert.equal(s.typeRejected, 0);
          assert.equal(s.mappingRejected, count / 10);
          assert.ok(cluster.server.requests.every((q) => !q.path.includes('_type')));
        }
        await cluster.reset('testbeat-*', 'testbeat');
      } finally {
        await cluster.close();
      }
    });

    it('checks the connection with -test-output', async (t) => {
      const cluster = await open(t, target);
      if (!cluster) return;
      try {
        const dir = tmp();
        const r = await runTestbeat(cluster, dir, {}, {}, ['-test-output']);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stdout, new RegExp(`elasticsearch: elasticsearch\\(${cluster.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): OK \\(Elasticsearch ${cluster.major}\\.`));
      } finally {
        await cluster.close();
      }
    });
  });
}
