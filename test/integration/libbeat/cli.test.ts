import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';

const TESTBEAT = 'dist/test/support/testbeat-cli.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'libbeat-cli-'));
}

describe('libbeat CLI', () => {
  it('prints the version', async () => {
    for (const beat of ['topbeat', 'filebeat', 'packetbeat']) {
      const r = await runCli(`bin/${beat}.js`, ['-version']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^${beat} version \\d+\\.\\d+\\.\\d+ \\(`));
    }
  });

  it('-configtest exits 0 on a good config and non-zero with one clear line on a bad one', async () => {
    const dir = tmp();
    const good = join(dir, 'good.yml');
    writeFileSync(good, `output:\n  file:\n    path: ${dir}\n`);
    const ok = await runCli(TESTBEAT, ['-c', good, '-configtest']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Config OK/);

    const cases: [string, RegExp][] = [
      ['output:\n  file: [\n', /invalid YAML at line 3/],
      [`output:\n  file:\n    path: ${dir}\n    rotate_every_kb: -5\n`, /output\.file\.rotate_every_kb: must be at least 1, got -5/],
      ['output:\n  nosuch: {}\n', /output\.nosuch: unknown output \(available: console, elasticsearch, file, logstash, redis\)/],
      ['logging:\n  level: loud\noutput:\n  console: {}\n', /logging\.level: must be one of/],
      ['shipper: {}\n', /output: no output is configured/],
    ];
    for (const [text, re] of cases) {
      const f = join(dir, 'bad.yml');
      writeFileSync(f, text);
      const r = await runCli(TESTBEAT, ['-c', f, '-configtest']);
      assert.equal(r.code, 1, text);
      assert.match(r.stderr, re);
      assert.ok(r.stderr.startsWith(`testbeat: ${f}: `), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
    }
    const missing = await runCli(TESTBEAT, ['-c', join(dir, 'none.yml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the config file \(no such file\)/);
  });

  it('ships events to the file output, one JSON document per line, with beat fields', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 5000\nshipper:\n  name: shipper-a\n  tags: [t1]\noutput:\n  file:\n    path: ${dir}/out\n    filename: events\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg, '-e']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acked 5000/);
    const lines = readFileSync(join(dir, 'out', 'events'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 5000);
    const first = JSON.parse(lines[0]!);
    assert.match(first['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(first.beat.name, 'shipper-a');
    assert.deepEqual(first.tags, ['t1']);
    assert.equal(first.count, 1);
    assert.deepEqual(lines.map((l) => JSON.parse(l).n), Array.from({ length: 5000 }, (_, i) => i));
  });

  it('rotates the file output by size, keeping number_of_files', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 3000\noutput:\n  file:\n    path: ${dir}/out\n    rotate_every_kb: 50\n    number_of_files: 3\n    bulk_max_size: 100\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg, '-e']);
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(join(dir, 'out')).sort();
    assert.deepEqual(files, ['testbeat', 'testbeat.1', 'testbeat.2']);
  });

  it('-N acknowledges without publishing; -E overrides config values', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 10\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg, '-N', '-E', 'testbeat.count=42']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acked 42/);
    assert.deepEqual(readdirSync(dir), ['c.yml']);
  });

  it('stops gracefully on SIGTERM, after delivering what it acknowledged', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 100\n  wait_stop: true\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg, '-e', '-v'], {
      onSpawn: (p) => {
        p.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('acked 100')) p.kill('SIGTERM');
        });
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Received SIGTERM; stopping\./);
    assert.match(r.stderr, /testbeat stopped\./);
    assert.equal(readFileSync(join(dir, 'out', 'testbeat'), 'utf8').trim().split('\n').length, 100);
  });

  it('serves internal counters on the HTTP stats endpoint', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 7\n  wait_stop: true\nhttp:\n  enabled: true\n  host: 127.0.0.1\n  port: 0\noutput:\n  file:\n    path: ${dir}/out\n`);
    // Port 0 cannot be discovered from outside, so use -httpprof with a fixed free port instead.
    const port = 20000 + Math.floor(Math.random() * 20000);
    let stats: Record<string, number> | undefined;
    const r = await runCli(TESTBEAT, ['-c', cfg, '-e', '-httpprof', `127.0.0.1:${port}`], {
      onSpawn: (p) => {
        p.stdout!.on('data', async (d: Buffer) => {
          if (!d.toString().includes('acked 7')) return;
          const res = await fetch(`http://127.0.0.1:${port}/stats`);
          stats = (await res.json()) as Record<string, number>;
          p.kill('SIGINT');
        });
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(stats, 'stats fetched');
    assert.equal(stats['libbeat.pipeline.events.published'], 7);
    assert.equal(stats['libbeat.output.file.events.acked'], 7);
  });

  it('applies the processors chain from the config (drop_event with when, drop_fields)', async () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yml');
    writeFileSync(
      cfg,
      `testbeat:\n  count: 10\nprocessors:\n  - drop_event:\n      when:\n        range:\n          n:\n            gte: 5\n  - drop_fields:\n      fields: [message]\noutput:\n  file:\n    path: ${dir}/out\n`,
    );
    const r = await runCli(TESTBEAT, ['-c', cfg, '-e']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acked 10/, 'filtered events are acknowledged too');
    const docs = readFileSync(join(dir, 'out', 'testbeat'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(docs.map((d) => d.n), [0, 1, 2, 3, 4]);
    assert.ok(docs.every((d) => !('message' in d)));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, `processors:\n  - drop_fields:\n      fields: 5\noutput:\n  console: {}\n`);
    const r2 = await runCli(TESTBEAT, ['-c', bad, '-configtest']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /processors\.0\.drop_fields\.fields: must be a list of strings, got 5/);
  });
});
