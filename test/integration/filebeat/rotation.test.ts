import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, readlinkSync, readdirSync, renameSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countMessages, delay, numbered, Sandbox, startFilebeat, waitFor } from './helpers.js';

/** Asserts that `expected` lines arrived, each exactly once. */
function assertExactlyOnce(sb: Sandbox, expected: string[]): void {
  const counts = countMessages(sb.docs());
  const missing = expected.filter((m) => !counts.has(m));
  const dups = [...counts].filter(([, n]) => n > 1).map(([m]) => m);
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} lines lost`);
  assert.deepEqual(dups.slice(0, 5), [], `${dups.length} lines shipped twice`);
  assert.equal(counts.size, expected.length);
}

function openFds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}

describe('filebeat follows files through rotation, truncation and deletion', () => {
  it('rotation by rename while writing: the old file is read to its end, the new one from 0', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    writeFileSync(log, '');
    // The glob matches the rotated names too (app.log.1, …): a file rotated before a scan saw it is still read,
    // and a rotated file being harvested is recognised by its inode (no line twice).
    sb.config([`${log}*`], ['close_inactive: 1s']);
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    await waitFor('the first scan', () => existsSync(sb.registry));
    const expected: string[] = [];
    let n = 0;
    // A rotation every ~300 ms (scan_frequency is 100 ms: each new file is found before it is rotated away).
    for (let rot = 0; rot < 5; rot++) {
      for (let burst = 0; burst < 10; burst++) {
        appendFileSync(log, numbered('rename', n, n + 50));
        for (let i = n; i < n + 50; i++) expected.push(`rename-${i}`);
        n += 50;
        await delay(30);
      }
      // logrotate's default: rename, then the application reopens a new file under the old name.
      renameSync(log, `${log}.${rot + 1}`);
      appendFileSync(`${log}.${rot + 1}`, numbered('late', rot * 10, rot * 10 + 10)); // written to the old fd after the rename
      for (let i = rot * 10; i < rot * 10 + 10; i++) expected.push(`late-${i}`);
      writeFileSync(log, '');
    }
    await waitFor(`${expected.length} lines`, () => sb.docs().length >= expected.length, 20_000);
    await delay(300);
    fb.proc.kill('SIGTERM');
    const ex = await fb.exited;
    assert.equal(ex.code, 0, fb.stderr());
    assertExactlyOnce(sb, expected);
  });

  it('copytruncate and plain truncation: reading restarts at offset 0 and nothing is lost', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    writeFileSync(log, '');
    sb.config([log]);
    const fb = startFilebeat(['-c', sb.cfg, '-e', '-v']);
    await waitFor('the first scan', () => existsSync(sb.registry));
    const expected: string[] = [];
    let n = 0;
    for (let rot = 0; rot < 4; rot++) {
      appendFileSync(log, numbered('ct', n, n + 400));
      for (let i = n; i < n + 400; i++) expected.push(`ct-${i}`);
      n += 400;
      await waitFor('catch up', () => sb.docs().length >= expected.length);
      // copytruncate: copy, then truncate in place (same inode); the writer goes on at once, writing less.
      copyFileSync(log, `${log}.${rot + 1}`);
      truncateSync(log, 0);
      for (let k = 0; k < 5; k++) {
        appendFileSync(log, numbered('after', n, n + 10));
        for (let i = n; i < n + 10; i++) expected.push(`after-${i}`);
        n += 10;
        await delay(10);
      }
    }
    await waitFor(`${expected.length} lines`, () => sb.docs().length >= expected.length);
    await delay(300);
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0);
    assertExactlyOnce(sb, expected);
    assert.match(fb.stderr(), /was truncated/);
  });

  it('deleted files are closed (close_removed) so their disk space is freed, and their registry entries cleaned', async () => {
    const sb = new Sandbox();
    const a = join(sb.logs, 'a.log');
    const b = join(sb.logs, 'b.log');
    writeFileSync(a, numbered('a', 0, 100));
    writeFileSync(b, numbered('b', 0, 100));
    sb.config([join(sb.logs, '*.log')]);
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    await waitFor('200 lines', () => sb.docs().length >= 200);
    await waitFor('both files open', () => openFds(fb.proc.pid!).filter((l) => l.startsWith(sb.logs)).length === 2);
    unlinkSync(a);
    await waitFor('the deleted file closed', () => {
      const fds = openFds(fb.proc.pid!);
      return !fds.some((l) => l.includes('a.log')) && fds.some((l) => l.includes('b.log'));
    });
    await waitFor('registry entry of a.log cleaned', () => {
      const reg = sb.registryEntries();
      return reg.length === 1 && reg[0]!.source === b;
    });
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0);
  });

  it('clean stop and restart while the file grows: no line shipped twice, none lost', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    writeFileSync(log, numbered('x', 0, 1000));
    sb.config([log]);
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    await waitFor('1000 lines', () => sb.docs().length >= 1000);
    appendFileSync(log, numbered('x', 1000, 1500));
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0, fb.stderr());
    appendFileSync(log, numbered('x', 1500, 2000));
    const fb2 = startFilebeat(['-c', sb.cfg, '-e']);
    await delay(200);
    appendFileSync(log, numbered('x', 2000, 2500));
    await waitFor('2500 lines', () => countMessages(sb.docs()).size >= 2500);
    await delay(300);
    fb2.proc.kill('SIGTERM');
    assert.equal((await fb2.exited).code, 0, fb2.stderr());
    assertExactlyOnce(sb, numbered('x', 0, 2500).trim().split('\n'));
  });

  it('harvester_limit, close_eof, exclude_files and symlinks', async () => {
    const sb = new Sandbox();
    for (const f of ['a', 'b', 'c']) writeFileSync(join(sb.logs, `${f}.log`), numbered(f, 0, 50));
    writeFileSync(join(sb.logs, 'skip.log'), numbered('skip', 0, 5));
    symlinkSync(join(sb.logs, 'a.log'), join(sb.logs, 'link.log'));
    sb.config([join(sb.logs, '*.log')], ['harvester_limit: 1', 'close_eof: true', "exclude_files: ['skip']"]);
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    await waitFor('150 lines', () => sb.docs().length >= 150);
    await delay(500);
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0);
    const docs = sb.docs();
    assert.equal(docs.length, 150, 'the symlink is ignored (symlinks: false) and skip.log excluded');
    assert.ok(!docs.some((d) => d.source.includes('link') || d.source.includes('skip')));

    // With symlinks: true, link.log is followed; its target is the same file as a.log, so it is read once.
    const sb2 = new Sandbox();
    writeFileSync(join(sb2.logs, 'target.txt'), numbered('t', 0, 10));
    symlinkSync(join(sb2.logs, 'target.txt'), join(sb2.logs, 'link.log'));
    sb2.config([join(sb2.logs, '*.log')], ['symlinks: true']);
    const fb2 = startFilebeat(['-c', sb2.cfg, '-e', '-once']);
    assert.equal((await fb2.exited).code, 0, fb2.stderr());
    assert.equal(sb2.docs().length, 10);
    assert.ok(existsSync(sb2.registry));
  });
});
