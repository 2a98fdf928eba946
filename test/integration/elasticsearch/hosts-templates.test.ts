import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEsServer } from '../../support/es-server/server.js';
import { testServerCluster } from './cluster.js';
import { runTestbeat, tmp } from './run.js';

describe('elasticsearch through the CLI: hosts and template options', () => {
  it('skips a dead host: everything arrives through the live one (load balancing)', async () => {
    const cluster = await testServerCluster();
    const dead = await startEsServer();
    const deadUrl = dead.url;
    await dead.close();
    try {
      const r = await runTestbeat(cluster, tmp(), { testbeat: { count: 300 } }, { hosts: [deadUrl, cluster.url], bulk_max_size: 50 }, ['-e', '-v']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /acked 300/);
      assert.equal(cluster.server!.docs().length, 300);
      assert.match(r.stderr, /Failed to connect to elasticsearch\(http:\/\/127\.0\.0\.1:\d+\).*ECONNREFUSED/);
    } finally {
      await cluster.close();
    }
  });

  it('leaves an existing template alone (template.overwrite defaults to false)', async () => {
    const cluster = await testServerCluster();
    try {
      const s = cluster.server!;
      s.indexTemplates.set('testbeat', { index_patterns: ['testbeat-*'], template: { mappings: {} }, _meta: { mine: true } });
      const r = await runTestbeat(cluster, tmp(), { testbeat: { count: 1 } }, {}, ['-e', '-v']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(s.indexTemplates.get('testbeat')!['_meta'], { mine: true });
      assert.match(r.stderr, /Index template testbeat already exists at .*; not overwritten\./);
    } finally {
      await cluster.close();
    }
  });
});
