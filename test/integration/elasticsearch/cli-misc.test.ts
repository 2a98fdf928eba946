import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEsServer } from '../../support/es-server/server.js';
import { runCli } from '../../support/run-cli.js';
import { testServerCluster } from './cluster.js';
import { TESTBEAT, runTestbeat, tmp } from './run.js';

describe('elasticsearch through the CLI: template.path and -test-output failures', () => {
  it('installs the user template of template.path as it is', async () => {
    const cluster = await testServerCluster({ version: '8.11.1' });
    try {
      const dir = tmp();
      const user = { index_patterns: ['testbeat-*'], priority: 200, template: { settings: { number_of_shards: 3 }, mappings: { properties: { n: { type: 'integer' } } } } };
      writeFileSync(join(dir, 'tpl.json'), JSON.stringify(user));
      const r = await runTestbeat(cluster, dir, { testbeat: { count: 5 } }, { template: { path: join(dir, 'tpl.json'), name: 'custom' } });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(cluster.server!.indexTemplates.get('custom'), user);
      assert.equal(cluster.server!.indexTemplates.has('testbeat'), false);
      assert.equal(cluster.server!.docs().length, 5);
    } finally {
      await cluster.close();
    }
  });

  it('-test-output exits 1 naming the reason for a dead host and for bad credentials', async () => {
    const dead = await startEsServer();
    const deadUrl = dead.url;
    await dead.close();
    const secured = await startEsServer({ auth: { username: 'elastic', password: 'right' } });
    try {
      const dir = tmp();
      const cfg = join(dir, 'c.yml');
      writeFileSync(cfg, JSON.stringify({ output: { elasticsearch: { hosts: [deadUrl, secured.url], username: 'elastic', password: 'wrong' } } }));
      const r = await runCli(TESTBEAT, ['-c', cfg, '-test-output']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`elasticsearch\\(${deadUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): FAILED: .*ECONNREFUSED`));
      assert.match(r.stdout, /FAILED: .*refused the credentials \(HTTP 401\); check username and password/);
    } finally {
      await secured.close();
    }
  });
});
