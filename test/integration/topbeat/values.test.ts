import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Collector } from '../../../src/beats/topbeat/collector.js';
import { LinuxSource } from '../../../src/beats/topbeat/linux/source.js';

// Compares one collection with what /proc, ps and df say on this machine, read just before and after it.

type Doc = Record<string, unknown> & { type: string };
type Obj = Record<string, number>;
const linux = process.platform === 'linux';

function procStatCpu(): number[] {
  return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
}

function meminfo(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
}

function passwdNames(): Map<number, string> {
  const m = new Map<number, string>();
  for (const l of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = l.split(':');
    if (f.length > 2 && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]!);
  }
  return m;
}

interface PsRow {
  ppid: number;
  ruid: number;
  vsz: number;
  rss: number;
  comm: string;
}

function psSnapshot(): Map<number, PsRow> {
  const ps = new Map<number, PsRow>();
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,ruid=,vsz=,rss=,comm='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (m) ps.set(Number(m[1]), { ppid: Number(m[2]), ruid: Number(m[3]), vsz: Number(m[4]), rss: Number(m[5]), comm: m[6]! });
  }
  return ps;
}

describe('topbeat values on this machine', { skip: linux ? false : 'Linux only (/proc)' }, () => {
  let source: LinuxSource;
  let collector: Collector;
  let sleeper: ChildProcess;
  let burner: ChildProcess;
  let first: Doc[];
  let second: Doc[];
  let cpuBefore: number[];
  let cpuAfter: number[];
  let loadAfter: number[];
  let t1Start = 0;
  let t1End = 0;
  let t2Start = 0;
  let t2End = 0;
  let psBefore: Map<number, PsRow>;
  let psAfter: Map<number, PsRow>;

  before(async () => {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    burner = spawn(process.execPath, ['-e', 'const end = Date.now() + 8000; while (Date.now() < end);'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    source = new LinuxSource();
    collector = new Collector(source, { procs: [/.*/], system: true, proc: true, filesystem: true, cpuPerCore: true });
    t1Start = performance.now();
    first = (await collector.collect()) as Doc[];
    t1End = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    psBefore = psSnapshot();
    cpuBefore = procStatCpu();
    t2Start = performance.now();
    second = (await collector.collect()) as Doc[];
    t2End = performance.now();
    cpuAfter = procStatCpu();
    psAfter = psSnapshot();
    loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  });

  after(() => {
    sleeper?.kill();
    burner?.kill();
    source?.close();
  });

  it('emits one system event, then process and filesystem events', () => {
    assert.equal(second[0]!.type, 'system');
    assert.equal(second.filter((d) => d.type === 'system').length, 1);
    assert.ok(second.filter((d) => d.type === 'process').length >= 3);
    assert.ok(second.some((d) => d.type === 'filesystem'));
    assert.equal(first.length > 0, true);
  });

  it('system: memory equals /proc/meminfo, CPU ticks lie between two reads of /proc/stat, shares in 0..1', () => {
    const sys = second[0]! as unknown as { mem: Obj; swap: Obj; cpu: Obj; cpus: Record<string, Obj>; load: Obj };
    const mi = meminfo();
    assert.equal(sys.mem['total'], mi['MemTotal']);
    assert.equal(sys.swap['total'], mi['SwapTotal']);
    assert.equal(sys.mem['used']! + sys.mem['free']!, sys.mem['total']);
    assert.ok(Math.abs(sys.mem['free']! - mi['MemFree']!) < 0.05 * mi['MemTotal']!, 'free close to MemFree');
    assert.ok(Math.abs(sys.mem['actual_free']! - (mi['MemAvailable'] ?? 0)) < 0.05 * mi['MemTotal']!, 'actual_free close to MemAvailable');
    const keys = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
    keys.forEach((k, i) => {
      assert.ok(sys.cpu[k]! >= cpuBefore[i]! - 1 && sys.cpu[k]! <= cpuAfter[i]! + 1, `cpu.${k}`);
    });
    for (const block of [sys.cpu, ...Object.values(sys.cpus)]) {
      for (const k of ['user_p', 'system_p']) assert.ok(block[k]! >= 0 && block[k]! <= 1, `${k} ${block[k]}`);
      assert.ok(block['user_p']! + block['system_p']! <= 1.0001);
    }
    assert.ok(sys.cpu['user_p']! + sys.cpu['system_p']! > 0, 'a CPU burner runs, so the machine is not idle');
    assert.equal(Object.keys(sys.cpus).length, cpus().length);
    for (const [i, k] of (['load1', 'load5', 'load15'] as const).entries()) {
      // Equal unless the kernel's 5-second update fell between the two reads (one update moves load1 by < 10 %).
      assert.ok(Math.abs(sys.load[k]! - loadAfter[i]!) <= 0.5 + 0.1 * loadAfter[i]!, `${k} ${sys.load[k]} vs ${loadAfter[i]}`);
    }
    for (const k of ['used_p', 'actual_used_p']) assert.ok(sys.mem[k]! >= 0 && sys.mem[k]! <= 1);
  });

  it('processes: pids, parents, names, users and sizes agree with ps', () => {
    // Processes come and go, exec other programs and get re-parented while the tests run (other test files run in
    // parallel): compare with the processes ps shows the same way just before and just after the collection.
    const ps = new Map<number, PsRow>();
    for (const [pid, a] of psBefore) {
      const b = psAfter.get(pid);
      if (b && a.ppid === b.ppid && a.comm === b.comm && a.ruid === b.ruid) ps.set(pid, a);
    }
    const users = passwdNames();
    const procs = second.filter((d) => d.type === 'process').map((d) => d['proc'] as Record<string, unknown> & { cpu: Obj; mem: Obj });
    let compared = 0;
    let sameVsz = 0;
    for (const p of procs) {
      const pid = p['pid'] as number;
      const theirs = ps.get(pid);
      if (!theirs) continue;
      compared++;
      assert.equal(p['ppid'], theirs.ppid, `ppid of ${pid}`);
      // Kernel workers append the work item they run now to their name ("kworker/0:1-events"): compare the worker.
      const worker = (n: string) => (n.startsWith('kworker/') ? n.split('-')[0] : n);
      assert.equal(worker(p['name'] as string), worker(theirs.comm), `name of ${pid}`);
      assert.equal(p['username'], users.get(theirs.ruid) ?? String(theirs.ruid), `user of ${pid}`);
      if (p.mem['size']! / 1024 === theirs.vsz) sameVsz++;
      assert.ok(p.mem['rss_p']! >= 0 && p.mem['rss_p']! <= 1);
      assert.ok(p.cpu['user_p']! >= 0 && p.cpu['user_p']! <= cpus().length + 0.05, `user_p ${p.cpu['user_p']}`);
      assert.equal(p.cpu['total'], p.cpu['user']! + p.cpu['system']!);
      assert.match(p.cpu['start_time'] as unknown as string, /^(\d\d:\d\d|[A-Z][a-z]{2}\d\d)$/);
    }
    assert.ok(compared >= procs.length * 0.8, `${compared} of ${procs.length} pids were stable around the collection`);
    const reported = new Set(procs.map((p) => p['pid'] as number));
    const missing = [...ps.keys()].filter((pid) => !reported.has(pid));
    assert.ok(missing.length <= ps.size * 0.02, `every process ps shows before and after is reported; missing ${missing.join(',')}`);
    assert.ok(sameVsz >= compared * 0.9, `virtual size equals ps vsz for ${sameVsz} of ${compared}`);

    const me = procs.find((p) => p['pid'] === process.pid)!;
    assert.ok(me, 'this test process is reported');
    const myRss = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(process.pid)], { encoding: 'utf8' }).trim()) * 1024;
    assert.ok(Math.abs(me.mem['rss']! - myRss) < 0.25 * myRss, `rss ${me.mem['rss']} vs ps ${myRss}`);
    assert.equal(me['name'], 'node');
    assert.equal(me['cmdline'], readFileSync('/proc/self/cmdline', 'utf8').replace(/\0+$/, '').split('\0').join(' '));

    const sleep = procs.find((p) => p['pid'] === sleeper.pid)!;
    assert.ok(sleep, 'the sleep child is reported');
    assert.equal(sleep['ppid'], process.pid);
    assert.equal(sleep['state'], 'sleeping');
    assert.equal(sleep['cmdline'], 'sleep 60');

    const burn = procs.find((p) => p['pid'] === burner.pid)!;
    assert.ok(burn, 'the CPU burner is reported');
    assert.equal(burn['state'], 'running', 'a busy loop is always runnable (R), even when preempted');
    // Its share is the CPU time it used between the two collections over the time between them (whatever the
    // machine's load gives it): check it against the counters of both collections and the test's own clock.
    const before = first.find((d) => d.type === 'process' && (d['proc'] as { pid: number }).pid === burner.pid)!['proc'] as { cpu: Obj };
    const used = burn.cpu['total']! - before.cpu['total']!;
    assert.ok(used > 0, 'the burner ran between the collections');
    const share = burn.cpu['user_p']!;
    assert.ok(share >= used / (t2End - t1Start) - 0.011 && share <= used / (t2Start - t1End) + 0.011, `share ${share}, ${used} ms used`);
  });

  it('filesystems: sizes equal df -B1 for every filesystem df shows', () => {
    const fs = new Map(
      second.filter((d) => d.type === 'filesystem').map((d) => {
        const f = d['fs'] as Record<string, number | string>;
        return [f['mount_point'] as string, f];
      }),
    );
    const out = execFileSync('df', ['-B1', '--output=target,size,used,avail'], { encoding: 'utf8', timeout: 10_000 });
    const rows = out.trim().split('\n').slice(1);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(row.trim());
      if (!m) continue;
      const f = fs.get(m[1]!);
      assert.ok(f, `df shows ${m[1]}, topbeat too`);
      const size = Number(m[2]);
      assert.equal(f['total'], size, `total of ${m[1]}`);
      const slack = 0.01 * size + (64 << 20);
      assert.ok(Math.abs((f['used'] as number) - Number(m[3])) <= slack, `used of ${m[1]}`);
      assert.ok(Math.abs((f['avail'] as number) - Number(m[4])) <= slack, `avail of ${m[1]}`);
      assert.ok((f['used_p'] as number) >= 0 && (f['used_p'] as number) <= 1);
    }
  });
});
