/**
 * What a platform source measures, in the units Topbeat ships: bytes for memory and disk, clock ticks (USER_HZ)
 * for system CPU counters, milliseconds for process CPU times. Percentages are computed later (see cpu-delta.ts,
 * events.ts), from two samples, so sources stay plain readers.
 */

/** Cumulative CPU counters of the whole machine or one core, in ticks since boot (/proc/stat order). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface CpuSample {
  total: CpuTimes;
  /** One entry per core, in core order (cpu0, cpu1, ...). */
  cores: CpuTimes[];
}

export interface LoadSample {
  load1: number;
  load5: number;
  load15: number;
}

export interface MemorySample {
  total: number;
  free: number;
  /** Memory available to programs without swapping (MemAvailable, or free + buffers + cached on old kernels). */
  available: number;
  swapTotal: number;
  swapFree: number;
}

export interface ProcessSample {
  pid: number;
  ppid: number;
  name: string;
  /** One-letter kernel state (R, S, D, Z, T, ...); events.ts names it. */
  state: string;
  /** CPU time in user and kernel mode, milliseconds since the process started. */
  userMs: number;
  systemMs: number;
  /**
   * The platform's own current CPU share (1 = one core), for sources without cumulative counters; when absent
   * the share is computed from userMs + systemMs between two collections.
   */
  cpuShare?: number;
  /** Start time, milliseconds since the epoch. */
  startMs: number;
  /** Virtual size, resident set and shared resident memory, bytes. */
  size: number;
  rss: number;
  share: number;
  cmdline: string;
  username: string;
}

export interface FilesystemSample {
  deviceName: string;
  mountPoint: string;
  total: number;
  free: number;
  avail: number;
  files: number;
  freeFiles: number;
}

/** One platform's readers. Methods may be called concurrently only for different kinds of stats. */
export interface SystemSource {
  /** `linux-proc` or `systeminformation`; logged at start. */
  readonly kind: string;
  load(): Promise<LoadSample>;
  cpu(): Promise<CpuSample>;
  memory(): Promise<MemorySample>;
  /** Processes whose name passes `match`; unmatched processes cost as little as the platform allows. */
  processes(match: (name: string) => boolean): Promise<ProcessSample[]>;
  /** Mounted filesystems with a non-zero size (pseudo filesystems such as proc or cgroup are left out, as df does). */
  filesystems(): Promise<FilesystemSample[]>;
  /** Releases file descriptors and caches. */
  close(): void;
}
