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

  it('does not overwrite an existing template unless template.overwrite is set; template.enabled: false installs none', async () => {
    const cluster = await testServerCluster();
    try {
      const s = cluster.server!;
      s.indexTemplates.set('testbeat', { index_patterns: ['testbeat-*'], template: { mappings: {} }, _meta: { mine: true } });
      let r = await runTestbeat(cluster, tmp(), { testbeat: { count: 1 } }, {});
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(s.indexTemplates.get('testbeat')!['_meta'], { mine: true });
      r = await runTestbeat(cluster, tmp(), { testbeat: { count: 1 } }, { template: { overwrite: true, name: 'testbeat' } });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(s.indexTemplates.get('testbeat')!['_meta'], { beat: 'testbeat', version: '1.0.0' });
      s.indexTemplates.clear();
      r = await runTestbeat(cluster, tmp(), { testbeat: { count: 1 } }, { template: { enabled: false } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(s.indexTemplates.size, 0);
    } finally {
      await cluster.close();
    }
  });
});
