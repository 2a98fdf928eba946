import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcBuffer } from '../../../src/beats/topbeat/linux/proc-buffer.js';
import { FilesystemReader, parseMounts } from '../../../src/beats/topbeat/linux/filesystems.js';
import { LinuxSystemReader } from '../../../src/beats/topbeat/linux/system.js';
import { UserNames } from '../../../src/beats/topbeat/linux/users.js';

function bufferOf(text: string): ProcBuffer {
  const b = new ProcBuffer(8);
  const bytes = Buffer.from(text);
  b.buf = Buffer.alloc(bytes.length + 1);
  bytes.copy(b.buf);
  b.len = bytes.length;
  return b;
}

describe('ProcBuffer', () => {
  it('parses unsigned numbers up to 2^53 and decimals, skipping tokens', () => {
    const b = bufferOf('  123 9007199254740991 -4 0.52\n7');
    assert.equal(b.uint(0), 123);
    assert.equal(b.uint(b.end), 9007199254740991);
    const afterNeg = b.skipToken(b.end);
    assert.equal(b.decimal(afterNeg), 0.52);
    assert.equal(b.nextLine(0), 31);
    assert.equal(b.uint(b.nextLine(0)), 7);
    assert.equal(b.nextLine(31), b.len);
  });

  it('reads files larger than its buffer by growing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topbeat-buf-'));
    const f = join(dir, 'big');
    writeFileSync(f, 'x'.repeat(100_000));
    const b = new ProcBuffer(1024);
    assert.equal(b.readPath(f), true);
    assert.equal(b.len, 100_000);
    assert.equal(b.readPath(join(dir, 'missing')), false);
    assert.equal(b.len, 0);
  });
});

describe('Linux system files', () => {
  it('reads loadavg, per-core cpu lines, btime and meminfo (with and without MemAvailable)', () => {
    const root = mkdtempSync(join(tmpdir(), 'topbeat-proc-'));
    writeFileSync(join(root, 'loadavg'), '0.52 1.25 10.00 2/345 6789\n');
    writeFileSync(
      join(root, 'stat'),
      'cpu  10 1 20 300 4 5 6 7 0 0\ncpu0 5 0 10 150 2 2 3 3 0 0\ncpu1 5 1 10 150 2 3 3 4 0 0\nintr 1 2 3\nbtime 1700000000\nprocesses 5\n',
    );
    writeFileSync(
      join(root, 'meminfo'),
      'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\nBuffers:          50 kB\nCached:          100 kB\nSwapCached: 0 kB\nSwapTotal:       400 kB\nSwapFree:        300 kB\n',
    );
    const r = new LinuxSystemReader(new ProcBuffer(), root);
    assert.deepEqual(r.load(), { load1: 0.52, load5: 1.25, load15: 10 });
    const cpu = r.cpu();
    assert.deepEqual(cpu.total, { user: 10, nice: 1, system: 20, idle: 300, iowait: 4, irq: 5, softirq: 6, steal: 7 });
    assert.equal(cpu.cores.length, 2);
    assert.equal(cpu.cores[1]!.steal, 4);
    assert.equal(r.bootTimeSec(), 1700000000);
    assert.deepEqual(r.memory(), { total: 1024000, free: 204800, available: 614400, swapTotal: 409600, swapFree: 307200 });
    r.close();
    writeFileSync(join(root, 'meminfo'), 'MemTotal: 1000 kB\nMemFree: 200 kB\nBuffers: 50 kB\nCached: 100 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    assert.equal(r.memory().available, 350 * 1024, 'old kernels: free + buffers + cached');
    r.close();
  });
});

describe('parseMounts', () => {
  it('splits fields and decodes octal escapes in device and mount point', () => {
    const m = parseMounts('/dev/sda1 / ext4 rw,relatime 0 0\nserver:/my\\040share /mnt/with\\040space nfs4 rw 0 0\n\n');
    assert.deepEqual(m, [
      { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4' },
      { device: 'server:/my share', mountPoint: '/mnt/with space', fsType: 'nfs4' },
    ]);
  });
});

describe('FilesystemReader', () => {
  it('reports mounts with blocks, skipping pseudo filesystems and unreadable mount points', async (t) => {
    if (process.platform !== 'linux') return t.skip('statfs on Linux mount points');
    const dir = mkdtempSync(join(tmpdir(), 'topbeat-mounts-'));
    const f = join(dir, 'mounts');
    writeFileSync(f, `/dev/root / ext4 rw 0 0\nproc /proc proc rw 0 0\nnfs:/x ${dir}/does\\040not\\040exist nfs rw 0 0\n`);
    const list = await new FilesystemReader(f).read();
    assert.equal(list.length, 1);
    const s = statfsSync('/');
    assert.deepEqual(list[0], {
      deviceName: '/dev/root',
      mountPoint: '/',
      total: s.blocks * s.bsize,
      free: list[0]!.free,
      avail: list[0]!.avail,
      files: s.files,
      freeFiles: list[0]!.freeFiles,
    });
    assert.ok(Math.abs(list[0]!.free - s.bfree * s.bsize) < 0.01 * s.blocks * s.bsize);
  });
});

describe('UserNames', () => {
  it('maps uids from a passwd file, re-reading it once per collection when a uid is unknown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topbeat-passwd-'));
    const f = join(dir, 'passwd');
    writeFileSync(f, 'root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    const u = new UserNames(f);
    assert.equal(u.name(0, 1), 'root');
    assert.equal(u.name(1000, 1), 'alice');
    assert.equal(u.name(1001, 1), '1001');
    writeFileSync(f, 'root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n');
    const later = Date.now() / 1000 + 10;
    // Make sure the mtime differs even on coarse-grained filesystems.
    utimesSync(f, later, later);
    assert.equal(u.name(1001, 1), '1001', 'already checked in this collection');
    assert.equal(u.name(1001, 2), 'bob');
  });
});
