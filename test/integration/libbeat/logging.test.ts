import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';

const TESTBEAT = 'dist/test/support/testbeat-cli.js';

// A Unix datagram receiver standing in for the syslog daemon (Node cannot bind one; Python can).
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
s.settimeout(15)
try:
    while True:
        print(s.recv(65536).decode(errors="replace"), flush=True)
except Exception:
    pass
`;

describe('logging', () => {
  it('sends log lines to syslog with per-level priorities', async (t) => {
    if (spawnSync('python3', ['-c', 'pass']).status !== 0) return t.skip('python3 is needed for the syslog receiver');
    if (spawnSync('logger', ['--help']).status !== 0) return t.skip('util-linux logger is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'syslog-'));
    const sock = join(dir, 'log.sock');
    const recv = spawn('python3', ['-c', RECEIVER, sock]);
    let got = '';
    await new Promise<void>((resolve) => recv.stdout.on('data', (d: Buffer) => ((got += d.toString()), got.includes('ready') && resolve())));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 3\nlogging:\n  level: info\n  to_syslog: true\n  syslog_socket: ${sock}\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const deadline = Date.now() + 5000;
    while (!got.includes('testbeat stopped.') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    recv.kill();
    // <14> = facility user (1) * 8 + severity info (6); logger adds the tag and our pid.
    assert.match(got, /<14>.*testbeat\[\d+\]: testbeat 1\.0\.0 started \(file\)\./);
    assert.match(got, /testbeat stopped\./);
    assert.equal(r.stderr, '', 'nothing on stderr when syslog works');
  });

  it('falls back to stderr with a warning when the syslog socket is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syslog-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 1\nlogging:\n  level: info\n  to_syslog: true\n  syslog_socket: ${dir}/none.sock\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /WARN No syslog socket at .*none\.sock; logging to stderr instead\./);
  });

  it('writes rotating log files with logging.to_files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfiles-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 2\nlogging:\n  level: debug\n  selectors: ["*"]\n  to_files: true\n  files:\n    path: ${dir}/logs\n    name: tb\n    rotateeverybytes: 1024\n    keepfiles: 2\noutput:\n  file:\n    path: ${dir}/out\n`);
    for (let i = 0; i < 7; i++) assert.equal((await runCli(TESTBEAT, ['-c', cfg])).code, 0);
    const files = readdirSync(join(dir, 'logs')).sort();
    assert.deepEqual(files, ['tb', 'tb.1'], 'rotated, and only keepfiles files kept');
    for (const f of files) assert.ok(readFileSync(join(dir, 'logs', f)).length <= 1024, `${f} within rotateeverybytes`);
    assert.match(readFileSync(join(dir, 'logs', 'tb'), 'utf8'), /INFO testbeat stopped\./);
  });

  it('writes a CPU profile and a heap snapshot when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prof-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, `testbeat:\n  count: 1000\noutput:\n  file:\n    path: ${dir}/out\n`);
    const r = await runCli(TESTBEAT, ['-c', cfg, '-cpuprofile', join(dir, 'cpu.cpuprofile'), '-memprofile', join(dir, 'mem.heapsnapshot')]);
    assert.equal(r.code, 0, r.stderr);
    const prof = JSON.parse(readFileSync(join(dir, 'cpu.cpuprofile'), 'utf8'));
    assert.ok(Array.isArray(prof.nodes) && prof.nodes.length > 0, 'profile has nodes');
    assert.ok(existsSync(join(dir, 'mem.heapsnapshot')));
    assert.match(readFileSync(join(dir, 'mem.heapsnapshot'), 'utf8').slice(0, 100), /"snapshot"/);
  });
});
