import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../../support/run-cli.js';
import { countMessages, FILEBEAT, numbered, Sandbox } from './helpers.js';

describe('filebeat -once through the CLI', () => {
  it('ships every line with the 1.0 fields, saves acknowledged offsets, and ships nothing twice on a rerun', async () => {
    const sb = new Sandbox();
    const a = join(sb.logs, 'a.log');
    const b = join(sb.logs, 'b.log');
    writeFileSync(a, numbered('a', 0, 1000));
    writeFileSync(b, 'crlf-1\r\ncrlf-2\r\nno newline yet');
    sb.config([join(sb.logs, '*.log')], ['document_type: applog', 'fields: {env: test}']);
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r.code, 0, r.stderr);
    const docs = sb.docs();
    assert.equal(docs.length, 1002);
    const first = docs.find((d) => d.message === 'a-0')!;
    assert.match(first['@timestamp'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(first.source, a);
    assert.equal(first.offset, 0);
    assert.equal(first['type'], 'applog');
    assert.equal(first['input_type'], 'log');
    assert.equal(first['count'], 1);
    assert.deepEqual(first['fields'], { env: 'test' });
    assert.ok((first['beat'] as { hostname: string }).hostname);
    assert.equal(docs.find((d) => d.message === 'a-1')!.offset, 4);
    assert.deepEqual(docs.filter((d) => d.source === b).map((d) => d.message), ['crlf-1', 'crlf-2'], 'the partial last line waits for its newline');
    const reg = sb.registryEntries();
    assert.equal(reg.find((e) => e.source === a)!.offset, statSync(a).size);
    assert.equal(reg.find((e) => e.source === b)!.offset, 16);
    assert.equal(reg.find((e) => e.source === a)!.FileStateOS.inode, statSync(a).ino);

    // Rerun: nothing new → nothing shipped; then the partial line completes and new lines arrive.
    const r2 = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(sb.docs().length, 1002);
    appendFileSync(b, '\n');
    appendFileSync(a, numbered('a', 1000, 1100));
    const r3 = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r3.code, 0, r3.stderr);
    const counts = countMessages(sb.docs());
    assert.equal(counts.size, 1103);
    assert.ok([...counts.values()].every((n) => n === 1), 'no line shipped twice');
    assert.equal(counts.get('no newline yet'), 1);
  });

  it('resumes from a Beats 1.0 registry file (also under a new name), and reads truncated files from 0', async () => {
    const sb = new Sandbox();
    const a = join(sb.logs, 'a.log');
    const renamed = join(sb.logs, 'renamed.log');
    const t = join(sb.logs, 't.log');
    writeFileSync(a, numbered('a', 0, 100));
    writeFileSync(renamed, numbered('r', 0, 100));
    writeFileSync(t, numbered('t', 0, 10));
    const st = (p: string) => statSync(p);
    const lineOff = (n: number, prefix: string) => Buffer.byteLength(numbered(prefix, 0, n));
    // Beats 1.0 format: an object keyed by path. renamed.log was "old.log" when 1.0 saw it.
    const old = join(sb.logs, 'old.log');
    writeFileSync(
      sb.registry,
      JSON.stringify({
        [a]: { source: a, offset: lineOff(60, 'a'), FileStateOS: { inode: st(a).ino, device: st(a).dev } },
        [old]: { source: old, offset: lineOff(90, 'r'), FileStateOS: { inode: st(renamed).ino, device: st(renamed).dev } },
        [t]: { source: t, offset: 100_000, FileStateOS: { inode: st(t).ino, device: st(t).dev } },
      }),
    );
    sb.config([join(sb.logs, '*.log')]);
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e', '-v']);
    assert.equal(r.code, 0, r.stderr);
    const docs = sb.docs();
    assert.deepEqual(docs.filter((d) => d.source === a).map((d) => d.message), numbered('a', 60, 100).trim().split('\n'));
    assert.deepEqual(docs.filter((d) => d.source === renamed).map((d) => d.message), numbered('r', 90, 100).trim().split('\n'));
    assert.deepEqual(docs.filter((d) => d.source === t).map((d) => d.message), numbered('t', 0, 10).trim().split('\n'));
    assert.match(r.stderr, /File rename detected: .*old\.log -> .*renamed\.log/);
    assert.match(r.stderr, /beats-1\.0 format/);
    // The registry is rewritten in the array format, with the new name.
    assert.ok(sb.registryEntries().some((e) => e.source === renamed));
  });

  it('does not let a new file that reuses a deleted file\'s inode inherit its offset', async () => {
    const sb = new Sandbox();
    const f = join(sb.logs, 'new.log');
    writeFileSync(f, numbered('n', 0, 20));
    const st = statSync(f);
    // A registry entry for the same device + inode, but another file (a different creation time).
    writeFileSync(sb.registry, JSON.stringify([{ source: join(sb.logs, 'deleted.log'), offset: 50, FileStateOS: { inode: st.ino, device: st.dev }, timestamp: new Date().toISOString(), ttl: -1, birth: 1000 }]));
    sb.config([join(sb.logs, '*.log')]);
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r.code, 0, r.stderr);
    const expected = st.birthtimeMs > 0 ? 20 : 8; // without creation times the offset (12 lines) is inherited, as in Beats
    assert.equal(sb.docs().length, expected);
  });

  it('tail_files starts files found at startup at their end; ignore_older skips old files', async () => {
    const sb = new Sandbox();
    const f = join(sb.logs, 'tail.log');
    const old = join(sb.logs, 'old.log');
    writeFileSync(f, numbered('before', 0, 10));
    writeFileSync(old, numbered('old', 0, 10));
    utimesSync(old, new Date(Date.now() - 3 * 3600_000), new Date(Date.now() - 3 * 3600_000));
    sb.config([join(sb.logs, '*.log')], ['tail_files: true', 'ignore_older: 1h']);
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sb.docs().length, 0);
    appendFileSync(f, numbered('after', 0, 5));
    appendFileSync(old, numbered('old', 10, 12));
    const r2 = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(sb.docs().map((d) => d.message).sort(), [...numbered('after', 0, 5).trim().split('\n'), 'old-10', 'old-11'].sort());
  });

  it('keeps long lines whole past the buffer, cuts at max_bytes, and survives invalid bytes', async () => {
    const sb = new Sandbox();
    const f = join(sb.logs, 'x.log');
    const long = 'L'.repeat(200_000);
    const huge = 'H'.repeat(3_000_000);
    writeFileSync(f, Buffer.concat([Buffer.from(`${long}\n${huge}\n`), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc3, 0x0a]), Buffer.from('ok\n')]));
    const g = join(sb.logs, 'y.latin');
    writeFileSync(g, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    writeFileSync(
      sb.cfg,
      `filebeat:\n  prospectors:\n    - paths: [${f}]\n      harvester_buffer_size: 1024\n      max_bytes: 1000000\n    - paths: [${g}]\n      encoding: latin1\n  registry_file: ${sb.registry}\noutput:\n  file:\n    path: ${sb.out}\n    rotate_every_kb: 1000000\n`,
    );
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
    assert.equal(r.code, 0, r.stderr);
    const all = sb.docs();
    assert.equal(all.length, 5);
    const docs = all.filter((d) => d.source === f);
    const msgs = docs.map((d) => d.message);
    assert.equal(msgs.length, 4);
    assert.ok(msgs[0] === long, `a 200 KB line read through a 1 KB buffer arrives whole (got ${msgs[0]!.length} chars)`);
    assert.ok(msgs[1] === 'H'.repeat(1_000_000), `cut at max_bytes (got ${msgs[1]!.length} chars)`);
    assert.deepEqual(docs[1]!['log'], { flags: ['truncated'] });
    assert.equal(msgs[2], 'bad\ufffd\ufffd\ufffd');
    assert.equal(msgs[3], 'ok');
    assert.equal(docs[3]!.offset, 200_001 + 3_000_001 + 7);
    assert.deepEqual(all.filter((d) => d.source === g).map((d) => d.message), ['café']);
  });

  it('reads stdin (input_type: stdin) until it ends, with include/exclude_lines and multiline', async () => {
    const sb = new Sandbox();
    writeFileSync(
      sb.cfg,
      `filebeat:\n  prospectors:\n    - input_type: stdin\n      exclude_lines: ['^DEBUG']\n      multiline:\n        pattern: '^[[:space:]]'\n        match: after\n  registry_file: ${sb.registry}\noutput:\n  file:\n    path: ${sb.out}\n`,
    );
    const p = spawn(process.execPath, [FILEBEAT, '-c', sb.cfg, '-e'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdin.end('start\n  cont 1\n  cont 2\nDEBUG noise\nlast line without newline');
    const code = await new Promise((r) => p.on('close', r));
    assert.equal(code, 0, err);
    const docs = sb.docs();
    assert.deepEqual(docs.map((d) => d.message), ['start\n  cont 1\n  cont 2', 'last line without newline']);
    assert.equal(docs[0]!.source, '-');
    assert.equal(docs[0]!['input_type'], 'stdin');
  });

  it('converts a Logstash Forwarder config (-convert-lsf) and rejects bad configs with one line', async () => {
    const sb = new Sandbox();
    const lsf = join(sb.dir, 'lsf.json');
    writeFileSync(lsf, JSON.stringify({ network: { servers: ['ls:5043'] }, files: [{ paths: ['/var/log/*.log'], fields: { type: 'syslog' } }] }));
    writeFileSync(sb.cfg, `filebeat:\n  prospectors:\n    - paths: [/nonexistent]\noutput:\n  console: {}\n`);
    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-convert-lsf', lsf]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /document_type: syslog/);
    assert.match(r.stdout, /hosts:\n\s+- ls:5043/);
    writeFileSync(sb.cfg, `filebeat:\n  prospectors:\n    - paths: [/x]\n      multiline:\n        pattern: '(('\noutput:\n  console: {}\n`);
    const bad = await runCli(FILEBEAT, ['-c', sb.cfg, '-configtest']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /filebeat\.prospectors\.0\.multiline\.pattern: is not a valid regular expression/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });
});
