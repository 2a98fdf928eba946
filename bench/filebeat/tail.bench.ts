// Filebeat throughput: lines/s from a file of 220-byte lines to the file output (with -once, and tailing a file
// that is appended while Filebeat runs) and to a lumberjack receiver, with peak RSS; next to baselines measured
// in the same run on the same file: `cat FILE > /dev/null`, a plain Node read + line-split loop, the same loop
// plus JSON encoding and a file write, and rsyslog's imfile → omfile when rsyslogd is installed.
// Run: npm run bench -- filebeat   (BENCH_LINES=… to change the size; default 400,000 lines = 88 MB)
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LumberjackReceiver } from '../../test/support/lumberjack/receiver.js';

const N = Number(process.env['BENCH_LINES'] ?? 400_000);
const LINE = 220;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'filebeat-bench-'));
const input = join(dir, 'input.log');

function makeInput(): void {
  const fd = openSync(input, 'w');
  let chunk = '';
  for (let i = 0; i < N; i++) {
    const head = `2026-01-02T03:04:05.678Z web-01 nginx[1234]: 10.0.${i % 256}.${i % 97} - - "GET /api/v1/items/${i} HTTP/1.1" 200 ${i % 9999} "Mozilla/5.0 (X11; Linux x86_64)" `;
    chunk += head + 'x'.repeat(LINE - 1 - head.length) + '\n';
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

function secs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function baselineCat(): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `cat '${input}' > /dev/null`]);
  if (r.status !== 0) throw new Error('cat failed');
  return N / secs(t0);
}

function baselineSplit(encode: boolean): number {
  const fd = openSync(input, 'r');
  const out = encode ? openSync(join(dir, 'node-loop.out'), 'w') : -1;
  const buf = Buffer.allocUnsafe(64 * 1024);
  const t0 = process.hrtime.bigint();
  let pos = 0;
  let lines = 0;
  let carry = '';
  let batch = '';
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    let start = 0;
    for (;;) {
      const i = buf.indexOf(10, start);
      if (i < 0 || i >= n) break;
      const line = carry + buf.toString('utf8', start, i);
      carry = '';
      lines++;
      if (encode) {
        batch += JSON.stringify({ '@timestamp': new Date().toISOString(), message: line, offset: pos, source: input, type: 'log' }) + '\n';
        if ((lines & 2047) === 0) {
          writeSync(out, batch);
          batch = '';
        }
      }
      start = i + 1;
    }
    carry = buf.toString('utf8', start, n);
  }
  if (encode) {
    writeSync(out, batch);
    closeSync(out);
  }
  closeSync(fd);
  if (lines !== N) throw new Error(`split ${lines} lines`);
  return N / secs(t0);
}

interface Run {
  linesPerSec: number;
  rssMb: number;
}

/** Runs filebeat with the given config; `onStart` may feed the file; resolves when `done()` holds (or it exits). */
async function runFilebeat(config: string, args: string[], done: () => boolean, onStart?: () => void): Promise<Run> {
  const cfgFile = join(dir, `fb-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(cfgFile, config);
  const t0 = process.hrtime.bigint();
  const p = spawn(process.execPath, [join(ROOT, 'bin/filebeat.js'), '-c', cfgFile, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let peakKb = 0;
  const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  let finished = false;
  void exited.then(() => (finished = true));
  onStart?.();
  let elapsed = 0;
  while (!finished) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
    if (elapsed === 0 && done()) {
      elapsed = secs(t0);
      p.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (elapsed === 0) elapsed = secs(t0);
  const code = await exited;
  if (code !== 0) throw new Error(`filebeat exited ${code}: ${err}`);
  return { linesPerSec: N / elapsed, rssMb: peakKb / 1024 };
}

function fileConfig(name: string, paths: string, extra = ''): string {
  const out = join(dir, `out-${name}`);
  rmSync(out, { recursive: true, force: true });
  return `filebeat:\n  prospectors:\n    - paths: [${paths}]\n      scan_frequency: 200ms\n      backoff: 50ms\n      max_backoff: 200ms\n${extra}  registry_file: ${join(dir, `registry-${name}`)}\n  registry_flush: 100ms\noutput:\n  file:\n    path: ${out}\n    rotate_every_kb: 10000000\n`;
}

function registryOffset(name: string): number {
  try {
    const entries = JSON.parse(readFileSync(join(dir, `registry-${name}`), 'utf8')) as { offset: number }[];
    return entries.reduce((a, e) => a + e.offset, 0);
  } catch {
    return 0;
  }
}

async function filebeatOnce(): Promise<Run> {
  return runFilebeat(fileConfig('once', input), ['-once'], () => false);
}

/** Tailing: Filebeat is already running on an empty file when the data is appended in 1 MB writes. */
async function filebeatTail(): Promise<Run> {
  const tailed = join(dir, 'tailed.log');
  writeFileSync(tailed, '');
  const data = readFileSync(input);
  const size = data.length;
  let fed = false;
  return runFilebeat(
    fileConfig('tail', tailed),
    [],
    () => {
      if (!fed && existsSync(join(dir, 'registry-tail'))) {
        fed = true;
        for (let o = 0; o < size; o += 1 << 20) appendFileSync(tailed, data.subarray(o, Math.min(size, o + (1 << 20))));
      }
      return registryOffset('tail') >= size;
    },
  );
}

async function filebeatLumberjack(): Promise<Run | undefined> {
  const rx = await LumberjackReceiver.start();
  try {
    const cfg = `filebeat:\n  prospectors:\n    - paths: [${input}]\n  registry_file: ${join(dir, 'registry-lj')}\noutput:\n  logstash:\n    hosts: ["${rx.address}"]\n    bulk_max_size: 2048\n`;
    const run = await runFilebeat(cfg, ['-once'], () => false);
    if (rx.events.length < N) throw new Error(`receiver got ${rx.events.length} of ${N}`);
    return run;
  } finally {
    await rx.close();
  }
}

/** rsyslog's imfile (inotify) tailing the same file into omfile, as far as rsyslogd is installed. */
async function rsyslog(): Promise<number | undefined> {
  const which = spawnSync('sh', ['-c', 'command -v rsyslogd']);
  if (which.status !== 0) return undefined;
  const rdir = join(dir, 'rsyslog');
  spawnSync('mkdir', ['-p', rdir]);
  const out = join(rdir, 'out.log');
  const conf = join(rdir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${rdir}")`,
      'module(load="imfile" mode="inotify")',
      `input(type="imfile" File="${input}" Tag="bench" freshStartTail="off" ruleset="r")`,
      'template(name="raw" type="string" string="%msg%\\n")',
      `ruleset(name="r") { action(type="omfile" file="${out}" template="raw" asyncWriting="on" ioBufferSize="256k" flushOnTXEnd="off") }`,
      '',
    ].join('\n'),
  );
  const t0 = process.hrtime.bigint();
  const p = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(rdir, 'pid')], { stdio: 'ignore' });
  const target = statSync(input).size * 0.999;
  const deadline = Date.now() + 60_000;
  let elapsed: number | undefined;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    if (existsSync(out) && statSync(out).size >= target) {
      elapsed = secs(t0);
      break;
    }
  }
  p.kill('SIGTERM');
  await new Promise((r) => p.on('close', r));
  if (elapsed === undefined) {
    console.log('rsyslog: did not finish within 60 s (skipped)');
    return undefined;
  }
  return N / elapsed;
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} lines/s`;

makeInput();
console.log(`input: ${N.toLocaleString('en-US')} lines of ${LINE} bytes (${(statSync(input).size / 1048576).toFixed(0)} MB)`);
baselineCat(); // warm the page cache
const cat = baselineCat();
const split = baselineSplit(false);
const splitJson = baselineSplit(true);
const rs = await rsyslog();
console.log(`baseline cat > /dev/null:                ${fmt(cat)}`);
console.log(`baseline node read + line split:         ${fmt(split)}`);
console.log(`baseline node split + JSON + file write: ${fmt(splitJson)}`);
console.log(rs === undefined ? 'baseline rsyslog imfile: rsyslogd not installed (skipped)' : `baseline rsyslog imfile -> omfile:       ${fmt(rs)}`);
const once = await filebeatOnce();
const tail = await filebeatTail();
const lj = await filebeatLumberjack();
const ratio = (r: Run) => (rs ? `, ${(r.linesPerSec / rs).toFixed(2)}x rsyslog` : '') + `, ${(r.linesPerSec / splitJson).toFixed(2)}x node loop`;
console.log(`filebeat -once -> file output:           ${fmt(once.linesPerSec)}, peak RSS ${once.rssMb.toFixed(0)} MB${ratio(once)}`);
console.log(`filebeat tailing -> file output:         ${fmt(tail.linesPerSec)}, peak RSS ${tail.rssMb.toFixed(0)} MB${ratio(tail)}`);
if (lj) console.log(`filebeat -once -> lumberjack receiver:   ${fmt(lj.linesPerSec)}, peak RSS ${lj.rssMb.toFixed(0)} MB${ratio(lj)}`);
rmSync(dir, { recursive: true, force: true });
