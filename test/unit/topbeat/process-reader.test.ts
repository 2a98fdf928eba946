import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcBuffer } from '../../../src/beats/topbeat/linux/proc-buffer.js';
import { LinuxProcessReader } from '../../../src/beats/topbeat/linux/processes.js';
import { UserNames } from '../../../src/beats/topbeat/linux/users.js';

/** A fake /proc with the four files the reader uses. */
function writeProc(root: string, pid: number, comm: string, opts: { ppid?: number; state?: string; utime?: number; start?: number; uid?: number; cmdline?: string } = {}): void {
  const dir = join(root, String(pid));
  mkdirSync(dir, { recursive: true });
  const { ppid = 1, state = 'S', utime = 250, start = 1000, uid = 1000, cmdline = `${comm}\0--flag\0` } = opts;
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  //   priority nice threads itrealvalue starttime vsize rss
  writeFileSync(join(dir, 'stat'), `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} 50 0 0 20 -5 1 0 ${start} 123456789 30\n`);
  writeFileSync(join(dir, 'statm'), '30141 300 120 10 0 200 0\n');
  writeFileSync(join(dir, 'status'), `Name:\t${comm}\nState:\t${state}\nUid:\t${uid}\t0\t0\t0\nGid:\t0\t0\t0\t0\n`);
  writeFileSync(join(dir, 'cmdline'), cmdline);
}

function reader(root: string, maxOpenFds = 100): LinuxProcessReader {
  const passwd = join(root, 'passwd');
  writeFileSync(passwd, 'alice:x:1000:1000::/home/alice:/bin/sh\n');
  return new LinuxProcessReader(new ProcBuffer(256), new UserNames(passwd), {
    procRoot: root,
    clockTicks: 100,
    pageSize: 4096,
    bootTimeMs: 1_700_000_000_000,
    maxOpenFds,
  });
}

describe('LinuxProcessReader', () => {
  for (const maxOpenFds of [100, 0]) {
    it(`reads stat, statm, status and cmdline (${maxOpenFds ? 'kept descriptors' : 'no descriptor budget'})`, () => {
      const root = mkdtempSync(join(tmpdir(), 'topbeat-procs-'));
      writeProc(root, 42, 'my (odd) name', { ppid: 7, state: 'R', uid: 1000 });
      writeProc(root, 43, 'other', { uid: 4242, cmdline: '' });
      mkdirSync(join(root, 'sys'));
      const r = reader(root, maxOpenFds);
      const list = r.list(() => true).sort((a, b) => a.pid - b.pid);
      assert.equal(list.length, 2);
      assert.deepEqual(list[0], {
        pid: 42,
        ppid: 7,
        name: 'my (odd) name',
        state: 'R',
        userMs: 2500,
        systemMs: 500,
        startMs: 1_700_000_000_000 + 10_000,
        size: 30141 * 4096,
        rss: 300 * 4096,
        share: 120 * 4096,
        cmdline: 'my (odd) name --flag',
        username: 'alice',
      });
      assert.equal(list[1]!.username, '4242', 'unknown uid shown as a number');
      assert.equal(list[1]!.cmdline, '');
      assert.equal(r.stats().openFds, maxOpenFds ? 4 : 0);

      // A process that exits is forgotten and its descriptors closed; a changed stat is read again.
      rmSync(join(root, '43'), { recursive: true });
      writeProc(root, 42, 'my (odd) name', { ppid: 7, utime: 900 });
      const again = r.list((n) => n.startsWith('my'));
      assert.equal(again.length, 1);
      assert.equal(again[0]!.userMs, 9000);
      assert.equal(r.stats().tracked, 1);
      r.close();
      assert.equal(r.stats().openFds, 0);
    });
  }

  it('reads only stat for processes that do not match, and re-reads cmdline after an exec (name change)', () => {
    const root = mkdtempSync(join(tmpdir(), 'topbeat-procs-'));
    writeProc(root, 10, 'bash', { cmdline: 'bash\0' });
    const r = reader(root);
    assert.deepEqual(r.list((n) => n === 'nginx'), []);
    assert.equal(r.stats().openFds, 1, 'stat only');
    writeProc(root, 10, 'nginx', { cmdline: 'nginx\0-g\0daemon off;\0' });
    const l = r.list((n) => n === 'nginx');
    assert.equal(l[0]!.cmdline, 'nginx -g daemon off;');
    writeProc(root, 10, 'nginx', { cmdline: 'changed\0' });
    assert.equal(r.list(() => true)[0]!.cmdline, 'nginx -g daemon off;', 'cmdline is cached while the program is the same');
    r.close();
  });

  it('never throws on truncated or garbage stat files', () => {
    const root = mkdtempSync(join(tmpdir(), 'topbeat-procs-'));
    for (const [pid, text] of [[1, ''], [2, '2 (x'], [3, '3 (y) '], [4, 'garbage\n'], [5, '5 (z) S 1 2']] as const) {
      mkdirSync(join(root, String(pid)));
      writeFileSync(join(root, String(pid), 'stat'), text);
    }
    const r = reader(root);
    const l = r.list(() => true);
    assert.ok(l.length <= 1);
    r.close();
  });
});
