import type { CpuTimes, ProcessSample } from './types.js';

/** Rounds a share to 4 decimals (Topbeat 1.0 rounded to 2; 4 keep small processes visible). */
export function roundShare(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function sum(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/**
 * Share of CPU time spent in user and system mode between two samples of the same counters, 0..1 (of one core
 * for a per-core block, of the whole machine for the total). Both are 0 without a previous sample, as in
 * Topbeat 1.0, and when no tick elapsed.
 */
export function cpuShares(prev: CpuTimes | undefined, cur: CpuTimes): { user_p: number; system_p: number } {
  if (prev === undefined) return { user_p: 0, system_p: 0 };
  const all = sum(cur) - sum(prev);
  if (all <= 0) return { user_p: 0, system_p: 0 };
  return {
    user_p: roundShare(clamp01((cur.user - prev.user) / all)),
    system_p: roundShare(clamp01((cur.system - prev.system) / all)),
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

interface ProcCpu {
  startMs: number;
  totalMs: number;
  atMs: number;
}

/**
 * CPU share of each process since the previous collection: CPU milliseconds used / wall milliseconds elapsed,
 * so 1 means one full core (it can exceed 1 for a multi-threaded process, as in Topbeat 1.0's `proc.cpu.user_p`).
 * A process is recognized by pid and start time, so a reused pid starts from 0.
 */
export class ProcessCpuTracker {
  private prev = new Map<number, ProcCpu>();
  private next = new Map<number, ProcCpu>();

  share(p: ProcessSample, atMs: number): number {
    const totalMs = p.userMs + p.systemMs;
    this.next.set(p.pid, { startMs: p.startMs, totalMs, atMs });
    if (p.cpuShare !== undefined) return roundShare(p.cpuShare);
    const last = this.prev.get(p.pid);
    if (last === undefined || last.startMs !== p.startMs || atMs <= last.atMs) return 0;
    const d = totalMs - last.totalMs;
    return d <= 0 ? 0 : roundShare(d / (atMs - last.atMs));
  }

  /** Call after each collection: processes not seen in it are forgotten. */
  endCollection(): void {
    const t = this.prev;
    this.prev = this.next;
    t.clear();
    this.next = t;
  }
}
