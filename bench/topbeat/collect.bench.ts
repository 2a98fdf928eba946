// Topbeat collection cost with 1,000+ processes: CPU and wall time per process of one full collection (system +
// every process + filesystems, events built), cold (first collection: descriptors opened) and warm (later ones),
// next to `ps -eo pid,ppid,stat,rss,vsz,utime,stime,comm` reading the same /proc files in the same run; then RSS and
// CPU of a running `topbeat` (file output) next to the same runner with every collection disabled (libbeat alone:
// Node, outputs, pipeline) as the RSS baseline. The running beat uses period 1 s so that its JIT is warm and ten
// collections fit in 10 s; its CPU per collection divided by 10 s is the CPU share at the default period of 10 s.
// Run: npm run bench -- topbeat   (Linux only; spawns ~1000 `sleep` processes and kills them at the end)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Collector } from '../../src/beats/topbeat/collector.js';
import { LinuxSource } from '../../src/beats/topbeat/linux/source.js';

const SLEEPERS = Number(process.env['BENCH_SLEEPERS'] ?? 1000);
const WARM_UP = 30;
const cpuCount = cpus().length;
const WARM_RUNS = 15;
const RUN_SECONDS = Number(process.env['BENCH_RUN_SECONDS'] ?? 10);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const countProcs = () => readdirSync('/proc').filter((n) => n.charCodeAt(0) >= 0x30 && n.charCodeAt(0) <= 0x39).length;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** utime+stime (ms) of a process, or of this process's waited-for children (cutime+cstime). */
function cpuMs(pid: number | 'self', children = false): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const [u, k] = children ? [f[13], f[14]] : [f[11], f[12]];
  return ((Number(u) + Number(k)) * 1000) / CLK_TCK;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function startSleepers(): Promise<ChildProcess> {
  // One shell forks them all (faster than 1000 spawns from Node); its process group is killed at the end.
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${SLEEPERS} ]; do sleep 600 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
  const before = countProcs();
  const deadline = Date.now() + 60_000;
  while (countProcs() < before + SLEEPERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return sh;
}

async function measureCollections(): Promise<void> {
  const source = new LinuxSource();
  const collector = new Collector(source, { procs: [/.*/], system: true, proc: true, filesystem: true, cpuPerCore: false });
  const coldCpu0 = process.cpuUsage();
  const coldT0 = performance.now();
  const cold = await collector.collect();
  const coldWall = performance.now() - coldT0;
  const coldCpu = process.cpuUsage(coldCpu0);
  const nProcs = cold.filter((d) => d['type'] === 'process').length;
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${cpuCount} cores (figures are noisy when it is high)`);

  // A running beat has warm JIT code: collections first (these are slower while V8 optimizes), then the median of
  // each figure (the machine is shared).
  const wu0 = process.cpuUsage();
  let nWarmUp = 0;
  for (let i = 0; i < WARM_UP; i++) nWarmUp += (await collector.collect()).filter((d) => d['type'] === 'process').length;
  const wu = process.cpuUsage(wu0);
  const walls: number[] = [];
  const cpus: number[] = [];
  let events = 0;
  let nWarm = 0;
  for (let i = 0; i < WARM_RUNS; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const docs = await collector.collect();
    events += docs.length;
    nWarm = docs.filter((d) => d['type'] === 'process').length;
    walls.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push(cpu.user + cpu.system);
  }
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const median = medianOf(walls);
  const warmCpuUs = medianOf(cpus);

  // Process table only (no system/filesystem events), to separate reading from the rest.
  const pt0 = process.cpuUsage();
  let nTable = 0;
  for (let i = 0; i < WARM_RUNS; i++) nTable = (await source.processes(() => true)).length;
  const pcpu = process.cpuUsage(pt0);
  const procOnlyUs = (pcpu.user + pcpu.system) / WARM_RUNS;
  const held = source.stats();
  source.close();

  // Baseline: ps reading the same /proc files (stat, status, ...) for every process.
  const psArgs = ['-eo', 'pid,ppid,stat,rss,vsz,utime,stime,comm'];
  spawnSync('ps', psArgs, { stdio: 'ignore' }); // warm the page cache and the binary
  const psWalls: number[] = [];
  const psCpu0 = cpuMs('self', true);
  let psLines = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = spawnSync('ps', psArgs, { encoding: 'utf8', maxBuffer: 1 << 26 });
    psWalls.push(performance.now() - t0);
    psLines = r.stdout.split('\n').length - 2;
  }
  const psCpuUs = ((cpuMs('self', true) - psCpu0) * 1000) / 5;
  psWalls.sort((a, b) => a - b);
  const psWall = psWalls[2]!;

  const per = (us: number, n: number) => `${(us / n).toFixed(1)} us/process`;
  console.log(`processes: ${nWarm} reported (${psLines} listed by ps); events per collection: ${Math.round(events / WARM_RUNS)}`);
  console.log(`cold collection (opens descriptors): wall ${coldWall.toFixed(1)} ms, CPU ${((coldCpu.user + coldCpu.system) / 1000).toFixed(1)} ms = ${per(coldCpu.user + coldCpu.system, nProcs)}`);
  console.log(`next ${WARM_UP} collections (JIT warming up): CPU ${per(wu.user + wu.system, nWarmUp)} on average`);
  console.log(`warm collection (median of ${WARM_RUNS}): wall ${median.toFixed(1)} ms = ${per(median * 1000, nWarm)}, CPU ${(warmCpuUs / 1000).toFixed(1)} ms = ${per(warmCpuUs, nWarm)}`);
  console.log(`  of which the process table alone: CPU ${per(procOnlyUs, nTable)}; descriptors held: ${held.openFds} for ${held.tracked} processes`);
  console.log(`baseline ps ${psArgs.join(' ')}: wall ${psWall.toFixed(1)} ms = ${per(psWall * 1000, psLines)}, CPU ${(psCpuUs / 1000).toFixed(1)} ms = ${per(psCpuUs, psLines)}`);
  console.log(`ratio warm topbeat / ps: CPU ${(warmCpuUs / psCpuUs).toFixed(2)}, wall ${(median / psWall).toFixed(2)}   (target: <= 27 us/process)`);
  console.log(`RSS of this bench process after collecting: ${mb(process.memoryUsage().rss)}`);
}

/** Runs topbeat with `input` settings; returns max RSS and CPU share after the first (cold) collection. */
async function runBeat(input: string, seconds: number, warmUpMs: number): Promise<{ maxRss: number; cpuShare: number; events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-topbeat-'));
  const cfg = join(dir, 'topbeat.yml');
  writeFileSync(cfg, `input:\n${input}output:\n  file:\n    path: ${dir}/out\n    rotate_every_kb: 100000\n    number_of_files: 2\nlogging:\n  level: error\n`);
  // BENCH_NODE_FLAGS: V8 options for the beat, e.g. `--max-semi-space-size=1` (a smaller young generation).
  const nodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  const beat = spawn(process.execPath, [...nodeFlags, join(REPO, 'bin/topbeat.js'), '-c', cfg], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, warmUpMs)); // start-up, the first (cold) collection, JIT warm-up
    const cpu0 = cpuMs(beat.pid!);
    const t0 = performance.now();
    let maxRss = 0;
    for (let s = 0; s < seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      maxRss = Math.max(maxRss, rssOf(beat.pid!));
    }
    const cpuShare = (cpuMs(beat.pid!) - cpu0) / (performance.now() - t0);
    let events = 0;
    try {
      events = readFileSync(join(dir, 'out', 'topbeat'), 'utf8').split('\n').length - 1;
    } catch {
      /* nothing written */
    }
    return { maxRss, cpuShare, events };
  } finally {
    beat.kill('SIGTERM');
    await new Promise((r) => beat.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureRunningBeat(): Promise<void> {
  const n = countProcs();
  // Three beats at once (RSS is per process; CPU time is barely affected by sharing the cores): the bare runner,
  // Topbeat with the default period (RSS over three collections) and Topbeat at period 1 (CPU per collection).
  const [base, dflt, fast] = await Promise.all([
    runBeat('  period: 10\n  procs: ["^$"]\n  stats:\n    system: false\n    filesystem: false\n', 8, 2000),
    runBeat('  period: 10\n', 21, 1000),
    runBeat('  period: 1\n', RUN_SECONDS, 4000),
  ]);
  const perCollectionMs = fast.cpuShare * 1000; // one collection per second
  const flags = process.env['BENCH_NODE_FLAGS'] ? ` (node ${process.env['BENCH_NODE_FLAGS']})` : '';
  console.log(`baseline: the same runner collecting nothing${flags}: RSS max ${mb(base.maxRss)}`);
  console.log(`running topbeat, default period 10 s, ${n} processes, file output, 3 collections: RSS max ${mb(dflt.maxRss)} (+${mb(dflt.maxRss - base.maxRss)} over the baseline)`);
  console.log(
    `running topbeat, period 1 s, ${fast.events} events in ${RUN_SECONDS + 4} s: RSS max ${mb(fast.maxRss)}; ` +
      `CPU ${perCollectionMs.toFixed(1)} ms per warm collection, all events encoded and written`,
  );
  console.log(`  => CPU at the default period of 10 s: ${(perCollectionMs / 100).toFixed(2)}% of a core   (targets: RSS <= 60 MB, CPU < 1%)`);
}

if (process.platform !== 'linux') {
  console.log('topbeat collect bench: Linux only (reads /proc); skipped.');
} else {
  const idle = countProcs();
  const sleepers = await startSleepers();
  const killSleepers = () => {
    try {
      process.kill(-sleepers.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', killSleepers);
  try {
    console.log(`${idle} processes before, ${countProcs()} with the sleepers`);
    await measureCollections();
    await measureRunningBeat();
  } finally {
    killSleepers();
  }
}
