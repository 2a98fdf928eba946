import { cpuShares, roundShare } from './cpu-delta.js';
import type { CpuTimes, FilesystemSample, LoadSample, MemorySample, ProcessSample } from './types.js';

/** Fields of one CPU block (`cpu`, or `cpus.cpuN`), ticks plus the user/system shares since the last sample. */
export function cpuFields(prev: CpuTimes | undefined, cur: CpuTimes): Record<string, number> {
  const { user_p, system_p } = cpuShares(prev, cur);
  return {
    user: cur.user,
    user_p,
    nice: cur.nice,
    system: cur.system,
    system_p,
    idle: cur.idle,
    iowait: cur.iowait,
    irq: cur.irq,
    softirq: cur.softirq,
    steal: cur.steal,
  };
}

function share(part: number, total: number): number {
  return total > 0 ? roundShare(part / total) : 0;
}

export function memFields(m: MemorySample): { mem: Record<string, number>; swap: Record<string, number> } {
  const used = m.total - m.free;
  const actualUsed = m.total - m.available;
  const swapUsed = m.swapTotal - m.swapFree;
  return {
    mem: {
      total: m.total,
      used,
      free: m.free,
      used_p: share(used, m.total),
      actual_used: actualUsed,
      actual_free: m.available,
      actual_used_p: share(actualUsed, m.total),
    },
    swap: { total: m.swapTotal, used: swapUsed, free: m.swapFree, used_p: share(swapUsed, m.swapTotal) },
  };
}

export function loadFields(l: LoadSample): Record<string, number> {
  return { load1: l.load1, load5: l.load5, load15: l.load15 };
}

/** The `type: system` document. `cpus` holds per-core blocks when cpu_per_core is on. */
export function systemEvent(parts: {
  load?: LoadSample;
  cpu?: Record<string, number>;
  cpus?: Record<string, Record<string, number>>;
  memory?: MemorySample;
}): Record<string, unknown> {
  const ev: Record<string, unknown> = { type: 'system' };
  if (parts.load) ev['load'] = loadFields(parts.load);
  if (parts.cpu) ev['cpu'] = parts.cpu;
  if (parts.cpus) ev['cpus'] = parts.cpus;
  if (parts.memory) Object.assign(ev, memFields(parts.memory));
  return ev;
}

/** Kernel state letters as Topbeat 1.0 (gosigar) names them; newer letters mapped to the nearest name. */
export function stateName(letter: string): string {
  switch (letter) {
    case 'R':
      return 'running';
    case 'S':
      return 'sleeping';
    case 'D':
    case 'I':
      return 'idle';
    case 'T':
    case 't':
      return 'stopped';
    case 'Z':
      return 'zombie';
    case 'X':
    case 'x':
      return 'dead';
    default:
      return 'unknown';
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `proc.cpu.start_time` as Topbeat 1.0 shows it: local "15:04" within the last 24 hours, else "Jan02". */
export function formatStartTime(startMs: number, nowMs: number): string {
  if (startMs <= 0) return '00:00';
  const d = new Date(startMs);
  if (nowMs - startMs < DAY_MS) return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return `${MONTHS[d.getMonth()]}${pad2(d.getDate())}`;
}

const START_CACHE_MAX = 65_536;

/**
 * formatStartTime with a cache by start time: the same processes are seen every period, and formatting a local
 * time is one of the costlier steps per process. An "HH:MM" entry expires when the process turns 24 hours old.
 */
export class StartTimeFormatter {
  private readonly cache = new Map<number, { text: string; until: number }>();

  format(startMs: number, nowMs: number): string {
    const hit = this.cache.get(startMs);
    if (hit !== undefined && nowMs < hit.until) return hit.text;
    const text = formatStartTime(startMs, nowMs);
    if (this.cache.size >= START_CACHE_MAX) this.cache.clear();
    this.cache.set(startMs, { text, until: nowMs - startMs < DAY_MS ? startMs + DAY_MS : Infinity });
    return text;
  }
}

/** The `type: process` document; `cpuShare` comes from ProcessCpuTracker, `memTotal` is mem.total in bytes. */
export function processEvent(p: ProcessSample, cpuShare: number, memTotal: number, startTime: string): Record<string, unknown> {
  return {
    type: 'process',
    proc: {
      pid: p.pid,
      ppid: p.ppid,
      name: p.name,
      state: stateName(p.state),
      username: p.username,
      cmdline: p.cmdline,
      cpu: {
        user: p.userMs,
        system: p.systemMs,
        total: p.userMs + p.systemMs,
        user_p: cpuShare,
        start_time: startTime,
      },
      mem: { size: p.size, rss: p.rss, rss_p: share(p.rss, memTotal), share: p.share },
    },
  };
}

/** The `type: filesystem` document. */
export function filesystemEvent(f: FilesystemSample): Record<string, unknown> {
  const used = f.total - f.free;
  return {
    type: 'filesystem',
    fs: {
      device_name: f.deviceName,
      mount_point: f.mountPoint,
      total: f.total,
      used,
      free: f.free,
      avail: f.avail,
      used_p: share(used, f.total),
      files: f.files,
      free_files: f.freeFiles,
    },
  };
}
