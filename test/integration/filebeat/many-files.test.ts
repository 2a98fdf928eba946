import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay, Sandbox, startFilebeat, waitFor } from './helpers.js';

const FILES = 10_000;

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

describe('filebeat with 10,000 files in one glob', () => {
  it('ships every file and stays cheap while they are idle', async () => {
    const sb = new Sandbox();
    for (let i = 0; i < FILES; i++) writeFileSync(join(sb.logs, `f${i}.log`), `file ${i} line\n`);
    // Default backoff (1s doubling to 10s) and close_inactive (5m): 10,000 open, idle harvesters.
    writeFileSync(
      sb.cfg,
      `filebeat:\n  prospectors:\n    - paths: [${join(sb.logs, '*.log')}]\n      scan_frequency: 5s\n  registry_file: ${sb.registry}\noutput:\n  file:\n    path: ${sb.out}\n`,
    );
    const t0 = Date.now();
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    const out = join(sb.out, 'filebeat');
    const lines = () => {
      try {
        return readFileSync(out, 'utf8').split('\n').length - 1;
      } catch {
        return 0;
      }
    };
    await waitFor(`${FILES} lines`, () => lines() >= FILES, 45_000);
    const shipSecs = (Date.now() - t0) / 1000;
    await delay(1000);
    const c0 = cpuSeconds(fb.proc.pid!);
    const w0 = Date.now();
    await delay(4000);
    const idleCpu = (cpuSeconds(fb.proc.pid!) - c0) / ((Date.now() - w0) / 1000);
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0, fb.stderr());
    assert.equal(lines(), FILES);
    const sources = new Set(readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { source: string }).source));
    assert.equal(sources.size, FILES);
    process.stdout.write(`# 10,000 files shipped in ${shipSecs.toFixed(1)} s; idle CPU ${(idleCpu * 100).toFixed(1)}% of one core\n`);
    assert.ok(idleCpu < 0.5, `idle CPU ${(idleCpu * 100).toFixed(1)}% of a core with 10,000 idle files`);
  });
});
