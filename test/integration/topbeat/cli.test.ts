import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';

const TOPBEAT = 'bin/topbeat.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'topbeat-cli-'));
}

/** Runs topbeat until its output file holds every wanted event type, then stops it with SIGTERM. */
async function runUntil(args: string[], out: string, wanted: string[]) {
  let docs: Record<string, unknown>[] = [];
  let pid = 0;
  const r = await runCli(TOPBEAT, args, {
    timeoutMs: 20_000,
    onSpawn: (p) => {
      pid = p.pid ?? 0;
      const poll = setInterval(() => {
        if (!existsSync(out)) return;
        docs = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
        const types = new Set(docs.map((d) => d['type']));
        if (wanted.every((t) => types.has(t))) {
          clearInterval(poll);
          p.kill('SIGTERM');
        }
      }, 100);
      p.on('exit', () => clearInterval(poll));
    },
  });
  return { ...r, docs, pid };
}

describe('topbeat CLI', () => {
  it('ships system, process and filesystem events to the file output and stops on SIGTERM', async () => {
    const dir = tmp();
    const cfg = join(dir, 'topbeat.yml');
    writeFileSync(cfg, `input:\n  period: 1\n  cpu_per_core: true\nshipper:\n  name: tb-test\noutput:\n  file:\n    path: ${dir}/out\n    filename: tb\n`);
    const r = await runUntil(['-c', cfg, '-e', '-v'], join(dir, 'out', 'tb'), ['system', 'process', 'filesystem']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Collecting system, process, filesystem every 1s \(source: linux-proc\)/);
    assert.match(r.stderr, /topbeat stopped\./);
    const sys = r.docs.find((d) => d['type'] === 'system')!;
    assert.deepEqual(Object.keys(sys).sort(), ['@timestamp', 'beat', 'count', 'cpu', 'cpus', 'load', 'mem', 'swap', 'type']);
    assert.deepEqual((sys['beat'] as Record<string, string>)['name'], 'tb-test');
    assert.ok('cpu0' in (sys['cpus'] as object));
    const proc = r.docs.find((d) => d['type'] === 'process' && (d['proc'] as { pid: number }).pid === r.pid)!;
    assert.ok(proc, 'topbeat reports itself');
    assert.equal((proc['proc'] as { name: string }).name, 'node');
    const fs = r.docs.find((d) => d['type'] === 'filesystem')!;
    assert.deepEqual(Object.keys(fs['fs'] as object).sort(), ['avail', 'device_name', 'files', 'free', 'free_files', 'mount_point', 'total', 'used', 'used_p']);
  });

  it('honours procs and stats: only matching processes, no filesystem events', async () => {
    const dir = tmp();
    const cfg = join(dir, 'topbeat.yml');
    writeFileSync(cfg, `input:\n  period: 0.5\n  procs: ["^nod"]\n  stats:\n    filesystem: false\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runUntil(['-c', cfg], join(dir, 'out', 'topbeat'), ['system', 'process']);
    assert.equal(r.code, 0, r.stderr);
    const names = new Set(r.docs.filter((d) => d['type'] === 'process').map((d) => (d['proc'] as { name: string }).name));
    assert.ok([...names].every((n) => n.startsWith('nod')), [...names].join(','));
    assert.ok(!r.docs.some((d) => d['type'] === 'filesystem'));
  });

  it('the bundled etc/topbeat.yml passes -configtest and runs with its file output', async () => {
    const ok = await runCli(TOPBEAT, ['-c', 'etc/topbeat.yml', '-configtest']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Config OK/);
    const dir = tmp();
    const r = await runUntil(['-c', 'etc/topbeat.yml', '-e', '-E', `output.file.path=${dir}`, '-E', 'input.period=1'], join(dir, 'topbeat'), [
      'system',
      'process',
      'filesystem',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('exits 1 with one clear line on a config mistake', async () => {
    const dir = tmp();
    const cases: [string, RegExp][] = [
      ['input:\n  procs: ["(unclosed"]\n', /input\.procs\.0: is not a valid regular expression \("\(unclosed"\)/],
      ['input:\n  period: -5\n', /input\.period: must be a positive number of seconds, got -5/],
      ['input:\n  stats:\n    proc: sometimes\n', /input\.stats\.proc: must be true or false, got "sometimes"/],
    ];
    for (const [text, re] of cases) {
      const f = join(dir, 'bad.yml');
      writeFileSync(f, `${text}output:\n  console: {}\n`);
      const r = await runCli(TOPBEAT, ['-c', f, '-e']);
      assert.equal(r.code, 1, text);
      assert.match(r.stderr, re);
      assert.ok(r.stderr.startsWith(`topbeat: ${f}: `), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
    }
  });
});
