import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveRedisServer, OwnRedis } from '../redis/servers.js';
import { E2eSandbox, FILEBEAT, numberedLines, startBeat, tally, waitFor } from './helpers.js';

// `filebeat -once` through the real CLI into a private redis-server that is killed (SIGKILL) while the file is
// being shipped and restarted on the same port: filebeat must reconnect and send again whatever was not
// acknowledged, so every line ends up in the list at least once.
//
// The private server persists with `appendonly yes, appendfsync always` (not `--appendonly no`): a kill -9 of a
// server that keeps nothing would throw away lines it had already acknowledged, which no client can make up for.

const LINES = 6000;

describe('e2e: filebeat -once → a private Redis that goes away', () => {
  it('every line is in the list after the restart (at least once) and the registry reaches the end of the file', async (t) => {
    if (!haveRedisServer()) {
      t.skip('redis-server is not installed (needed to kill and restart a private Redis)');
      return;
    }
    const redis = await OwnRedis.start();
    const sb = new E2eSandbox();
    try {
      const log = join(sb.logs, 'app.log');
      writeFileSync(log, numberedLines('r', 0, LINES));
      const key = `e2e-restart-${process.pid}`;
      sb.filebeat([log], {
        redis: { host: '127.0.0.1', port: redis.port, index: key, bulk_max_size: 25, flush_interval: '10ms', reconnect_interval: '100ms', timeout: '2s' },
      });
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);

      const client = redis.client();
      let before = 0;
      try {
        await waitFor('the first lines in Redis', async () => fb.done() || (before = await client.llen(key)) >= 200, 20_000, 5);
      } finally {
        client.disconnect();
      }
      assert.ok(!fb.done(), `filebeat was still shipping when Redis was killed (it had exited:\n${fb.stderr()})`);
      await redis.kill();
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(!fb.done(), 'filebeat -once does not give up while Redis is down');
      await redis.restart();
      const downMs = Date.now() - killedAt;
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());

      const c2 = redis.client();
      let items: string[];
      try {
        items = await c2.lrange(key, 0, -1);
      } finally {
        c2.disconnect();
      }
      const msgs = items.map((s) => (JSON.parse(s) as { message: string }).message);
      const want = Array.from({ length: LINES }, (_, i) => `r-${i}`);
      const res = tally(want, msgs);
      process.stdout.write(`# redis e2e: ${before} items before the kill, down ${downMs} ms, ${items.length} items for ${LINES} lines, ${res.duplicates} duplicates\n`);
      assert.deepEqual(res.lost, [], 'no line lost across the restart');
      assert.deepEqual(res.unexpected, []);
      assert.ok(res.duplicates <= 25, 'at most the batch in flight at the kill is sent twice');
      const doc = JSON.parse(items[items.length - 1]!) as Record<string, unknown>;
      assert.equal(doc['type'], 'log');
      assert.equal(doc['source'], log);
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, statSync(log).size);
    } finally {
      await redis.stop();
      sb.remove();
    }
  });
  it('Redis not running yet when filebeat starts: -once waits, connects when it comes up and delivers every line', async (t) => {
    if (!haveRedisServer()) {
      t.skip('redis-server is not installed (needed to start a private Redis late)');
      return;
    }
    const redis = await OwnRedis.start();
    await redis.kill();
    const sb = new E2eSandbox();
    try {
      const log = join(sb.logs, 'late.log');
      writeFileSync(log, numberedLines('late', 0, 1000));
      const key = `e2e-late-${process.pid}`;
      sb.filebeat([log], { redis: { host: '127.0.0.1', port: redis.port, index: key, reconnect_interval: '100ms', timeout: '1s' } });
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(!fb.done(), `filebeat -once waits for its output (it exited:\n${fb.stderr()})`);
      await redis.restart();
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());
      const c = redis.client();
      let items: string[];
      try {
        items = await c.lrange(key, 0, -1);
      } finally {
        c.disconnect();
      }
      const res = tally(Array.from({ length: 1000 }, (_, i) => `late-${i}`), items.map((s) => (JSON.parse(s) as { message: string }).message));
      assert.deepEqual(res.lost, []);
      assert.equal(res.duplicates, 0, 'nothing reached Redis before it was up, so nothing is sent twice');
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, statSync(log).size);
    } finally {
      await redis.stop();
      sb.remove();
    }
  });
});
