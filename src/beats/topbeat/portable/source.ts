import { cpus, loadavg } from 'node:os';
import si from 'systeminformation';
import type { CpuSample, CpuTimes, FilesystemSample, LoadSample, MemorySample, ProcessSample, SystemSource } from '../types.js';

/** Node reports core times in milliseconds; Topbeat ships ticks, so they are given at the usual 100 Hz. */
const MS_PER_TICK = 10;

const STATE_LETTERS: Record<string, string> = { running: 'R', sleeping: 'S', blocked: 'D', stopped: 'T', zombie: 'Z' };

/**
 * macOS, Windows and other platforms: Node's `os` module for load and CPU counters, the `systeminformation`
 * package (which runs `ps`/`df`/`sysctl` on macOS and PowerShell/WMI on Windows) for memory, processes and
 * filesystems. Same fields as on Linux, with these gaps: load is 0 on Windows; iowait, softirq and steal are 0;
 * per-process CPU counters (`proc.cpu.user/system/total`) are not offered by the package, so they are 0 and
 * `proc.cpu.user_p` is its current CPU share instead of one computed from counters; `fs.files`/`free_files` are 0.
 */
export class PortableSource implements SystemSource {
  readonly kind = 'systeminformation';

  async load(): Promise<LoadSample> {
    const [load1, load5, load15] = loadavg();
    return { load1: load1 ?? 0, load5: load5 ?? 0, load15: load15 ?? 0 };
  }

  async cpu(): Promise<CpuSample> {
    const cores = cpus().map((c): CpuTimes => ({
      user: Math.round(c.times.user / MS_PER_TICK),
      nice: Math.round(c.times.nice / MS_PER_TICK),
      system: Math.round(c.times.sys / MS_PER_TICK),
      idle: Math.round(c.times.idle / MS_PER_TICK),
      iowait: 0,
      irq: Math.round(c.times.irq / MS_PER_TICK),
      softirq: 0,
      steal: 0,
    }));
    const total: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
    for (const c of cores) for (const k of Object.keys(total) as (keyof CpuTimes)[]) total[k] += c[k];
    return { total, cores };
  }

  async memory(): Promise<MemorySample> {
    const m = await si.mem();
    return { total: m.total, free: m.free, available: m.available, swapTotal: m.swaptotal, swapFree: m.swapfree };
  }

  async processes(match: (name: string) => boolean): Promise<ProcessSample[]> {
    const { list } = await si.processes();
    const out: ProcessSample[] = [];
    for (const p of list) {
      if (!match(p.name)) continue;
      const started = Date.parse(p.started.replace(' ', 'T'));
      out.push({
        pid: p.pid,
        ppid: p.parentPid,
        name: p.name,
        state: STATE_LETTERS[p.state] ?? '?',
        userMs: 0,
        systemMs: 0,
        cpuShare: Number.isFinite(p.cpu) ? p.cpu / 100 : 0,
        startMs: Number.isFinite(started) ? started : 0,
        size: p.memVsz * 1024,
        rss: p.memRss * 1024,
        share: 0,
        cmdline: p.params ? `${p.command} ${p.params}` : p.command,
        username: p.user,
      });
    }
    return out;
  }

  async filesystems(): Promise<FilesystemSample[]> {
    return (await si.fsSize())
      .filter((f) => f.size > 0)
      .map((f) => ({
        deviceName: f.fs,
        mountPoint: f.mount,
        total: f.size,
        free: f.size - f.used,
        avail: f.available,
        files: 0,
        freeFiles: 0,
      }));
  }

  close(): void {}
}
