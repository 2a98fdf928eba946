import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServerCluster } from './cluster.js';
import { runTestbeat, tmp, utcDay } from './run.js';

export type VersionCase = readonly [version: string, type: string | undefined, api: '_template' | '_index_template'];

/** One CLI run per cluster version: `_type` sent, daily index, template API and shape. */
export function versionSuite(title: string, cases: readonly VersionCase[]): void {
  describe(title, () => {
    for (const [version, type, api] of cases) {
      it(`${version}: _type ${type ?? 'absent'}, template via ${api}`, async () => {
        const cluster = await testServerCluster({ version });
        try {
          const r = await runTestbeat(cluster, tmp(), { testbeat: { count: 50 } }, { bulk_max_size: 20 });
          assert.equal(r.code, 0, r.stderr);
          const s = cluster.server!;
          const docs = s.docs('testbeat-*');
          assert.deepEqual(docs.map((d) => d._source['n']).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 50 }, (_, i) => i));
          for (const d of docs) {
            assert.equal(d._type, type);
            assert.equal(d._index, `testbeat-${utcDay(d._source['@timestamp'] as string)}`);
          }
          assert.equal(s.stats.typeRejected, 0);
          const store = api === '_index_template' ? s.indexTemplates : s.templates;
          assert.deepEqual([...store.keys()], ['testbeat']);
          const other = api === '_index_template' ? s.templates : s.indexTemplates;
          assert.equal(other.size, 0);
          const body = store.get('testbeat')!;
          if (version.startsWith('5.')) {
            assert.equal(body['template'], 'testbeat-*');
            assert.ok((body['mappings'] as Record<string, unknown>)['_default_']);
          } else if (version.startsWith('6.')) {
            assert.deepEqual(body['index_patterns'], ['testbeat-*']);
            assert.ok((body['mappings'] as Record<string, unknown>)['doc']);
          } else if (version.startsWith('7.')) {
            assert.ok((body['mappings'] as Record<string, unknown>)['properties']);
          } else {
            assert.ok(((body['template'] as Record<string, unknown>)['mappings'] as Record<string, unknown>)['properties']);
          }
        } finally {
          await cluster.close();
        }
      });
    }
  });
}
