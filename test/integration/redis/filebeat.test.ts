// Filebeat through the real CLI, shipping a log file to its own redis-server, which is killed (-9) and restarted
// while lines are being shipped: every line must end up in the list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import { OwnRedis, haveRedisServer } from './servers.js';

describe('Filebeat to Redis', () => {
  it('ships every line of a log file across a Redis restart', async (t) => {
    if (!haveRedisServer()) return t.skip('redis-server binary not found');
    const own = await OwnRedis.start();
    const dir = mkdtempSync(join(tmpdir(), 'fb-redis-'));
    const log = join(dir, 'app.log');
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i} ${'y'.repeat(i % 40)}`);
    writeFileSync(log, lines.join('\n') + '\n');
    const cfg = join(dir, 'filebeat.yml');
    writeFileSync(
      cfg,
      [
        'filebeat:',
        `  registry_file: ${join(dir, 'registry')}`,
        '  prospectors:',
        `    - paths: ["${log}"]`,
        'output:',
        '  redis:',
        '    host: 127.0.0.1',
        `    port: ${own.port}`,
        '    index: fb',
        '    bulk_max_size: 200',
        '    reconnect_interval: 50ms',
        '',
      ].join('\n'),
    );
    const r = own.client();
    r.on('error', () => {});
    let killed = false;
    let restarted = false;
    let stop = false;
    try {
      const run = runCli('bin/filebeat.js', ['-c', cfg, '-e'], {
        timeoutMs: 25_000,
        onSpawn: (p) => {
          void (async () => {
            while (!stop) {
              await new Promise((res) => setTimeout(res, 30));
              if (restarted && (await r.llen('fb').catch(() => 0)) >= lines.length) {
                const got = new Set((await r.lrange('fb', 0, -1)).map((s) => (JSON.parse(s) as { message: string }).message));
                if (got.size >= lines.length) break;
              }
              if (!killed && (await r.llen('fb').catch(() => 0)) > 1000) {
                killed = true;
                await own.kill();
                await new Promise((res) => setTimeout(res, 400));
                await own.restart();
                restarted = true;
              }
            }
            setTimeout(() => p.kill('SIGTERM'), 200);
          })();
        },
      });
      const res = await run;
      stop = true;
      assert.ok(killed && restarted, `redis was restarted mid-stream (stderr: ${res.stderr.slice(-1000)})`);
      const got = new Set((await r.lrange('fb', 0, -1)).map((s) => (JSON.parse(s) as { message: string }).message));
      assert.equal(got.size, lines.length, `lines in Redis: ${got.size} of ${lines.length}; stderr: ${res.stderr.slice(-1000)}`);
    } finally {
      stop = true;
      r.disconnect();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
