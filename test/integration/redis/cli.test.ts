// The test beat through the real CLI, shipping to the real Redis.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { runCli } from '../../support/run-cli.js';
import { SHARED, reachable } from './servers.js';

const TESTBEAT = 'dist/test/support/testbeat-cli.js';

describe('redis output through the CLI', () => {
  it('the test beat pushes every event onto the list; -test-output pings', async (t) => {
    if (!(await reachable(SHARED.host, SHARED.port))) return t.skip(`redis not reachable at ${SHARED.host}:${SHARED.port}`);
    const key = `beats-ts-cli-${randomUUID()}`;
    const dir = mkdtempSync(join(tmpdir(), 'redis-cli-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 3000\noutput:\n  redis:\n    host: ${SHARED.host}\n    port: ${SHARED.port}\n    index: ${key}\n`);
    const r = new Redis({ host: SHARED.host, port: SHARED.port });
    try {
      const run = await runCli(TESTBEAT, ['-c', cfg, '-e']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /acked 3000/);
      const docs = (await r.lrange(key, 0, -1)).map((s) => JSON.parse(s) as { n: number; beat: { name: string }; '@timestamp': string });
      assert.deepEqual(new Set(docs.map((d) => d.n)).size, 3000);
      assert.equal(typeof docs[0]!.beat.name, 'string');
      assert.match(docs[0]!['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const probe = await runCli(TESTBEAT, ['-c', cfg, '-test-output']);
      assert.equal(probe.code, 0, probe.stderr);
      assert.match(probe.stdout + probe.stderr, /PING: PONG/);
    } finally {
      await r.del(key);
      await r.quit();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
