// The test beat and Filebeat through the real CLI, shipping to the lumberjack receiver.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO_ROOT } from '../../support/run-cli.js';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';

const TESTBEAT = 'dist/test/support/testbeat-cli.js';
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'logstash-cli-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('logstash output through the CLI', () => {
  it('the test beat ships every event across connections dropped mid-window', async () => {
    const rx = await LumberjackReceiver.start({ faults: { closeAfter: (w) => (w.window % 5 === 2 ? Math.ceil(w.size / 3) : undefined) } });
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(
      cfg,
      [
        'testbeat:',
        '  count: 5000',
        'output:',
        '  logstash:',
        `    hosts: ["${rx.address}"]`,
        '    index: shipped',
        '    bulk_max_size: 400',
        '    timeout: 5s',
        '    backoff.init: 10ms',
        '',
      ].join('\n'),
    );
    try {
      const r = await runCli(TESTBEAT, ['-c', cfg, '-e']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /acked 5000/);
      assert.deepEqual(rx.distinctNs(), range(5000));
      assert.ok(rx.connections >= 2, `connections ${rx.connections}`);
      assert.deepEqual(rx.events[0]!.doc['@metadata'], { beat: 'shipped', type: 'test' });
      assert.equal(typeof (rx.events[0]!.doc['beat'] as Record<string, unknown>)['hostname'], 'string');
    } finally {
      await rx.close();
    }
  });

  it('-test-output reports the connection; config mistakes are one line', async () => {
    const rx = await LumberjackReceiver.start();
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `output:\n  logstash:\n    hosts: ["${rx.address}"]\n`);
    try {
      const ok = await runCli(TESTBEAT, ['-c', cfg, '-test-output']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout + ok.stderr, new RegExp(`connected to 127\\.0\\.0\\.1:${rx.port}`));
      writeFileSync(cfg, 'output:\n  logstash:\n    hosts: ["x:1"]\n    compression_level: 12\n');
      const bad = await runCli(TESTBEAT, ['-c', cfg, '-configtest']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /output\.logstash\.compression_level: must be at most 9, got 12/);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    } finally {
      await rx.close();
    }
  });

  it('Filebeat ships every line of a log file', async (t) => {
    const def = join(REPO_ROOT, 'dist/src/beats/filebeat/definition.js');
    if (existsSync(def) && readFileSync(def, 'utf8').includes('Placeholder until Filebeat lands')) {
      return t.skip('Filebeat is still a placeholder on this branch (it lands with the filebeat issue)');
    }
    const rx = await LumberjackReceiver.start({ faults: { closeAfter: (w) => (w.window === 1 ? 3 : undefined) } });
    const dir = tmp();
    const log = join(dir, 'app.log');
    const lines = range(2000).map((i) => `line ${i} ${'x'.repeat(i % 50)}`);
    writeFileSync(log, lines.join('\n') + '\n');
    const cfg = join(dir, 'filebeat.yml');
    writeFileSync(
      cfg,
      [
        'filebeat:',
        '  registry_file: ' + join(dir, 'registry'),
        '  prospectors:',
        '    - paths: ["' + log + '"]',
        'output:',
        '  logstash:',
        `    hosts: ["${rx.address}"]`,
        '    bulk_max_size: 300',
        '    backoff.init: 10ms',
        '',
      ].join('\n'),
    );
    try {
      const r = await runCli('bin/filebeat.js', ['-c', cfg, '-e'], {
        timeoutMs: 20_000,
        onSpawn: (p) => {
          const poll = setInterval(() => {
            const got = new Set(rx.events.map((e) => e.doc['message']));
            if (got.size >= lines.length) {
              clearInterval(poll);
              setTimeout(() => p.kill('SIGTERM'), 300);
            }
          }, 50);
          p.on('exit', () => clearInterval(poll));
        },
      });
      const got = new Set(rx.events.map((e) => e.doc['message']));
      assert.equal(got.size, lines.length, `received ${got.size} of ${lines.length} lines; stderr: ${r.stderr.slice(-2000)}`);
      for (const l of lines) assert.ok(got.has(l), l);
    } finally {
      await rx.close();
    }
  });
});
