import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CpuSample, FilesystemSample, LoadSample, MemorySample, ProcessSample, SystemSource } from '../types.js';
import { FilesystemReader } from './filesystems.js';
import { ProcBuffer } from './proc-buffer.js';
import { LinuxProcessReader } from './processes.js';
import { LinuxSystemReader } from './system.js';
import { UserNames } from './users.js';

/** Descriptors left for everything else (outputs, log files, sockets) when sizing the process reader's cache. */
const FD_RESERVE = 512;
const MAX_KEPT_FDS = 16_384;

/** Linux: everything from /proc and statfs(2); no child process after start-up. */
export class LinuxSource implements SystemSource {
  readonly kind = 'linux-proc';
  private readonly buf = new ProcBuffer();
  private readonly system: LinuxSystemReader;
  private readonly procs: LinuxProcessReader;
  private readonly fs = new FilesystemReader();

  constructor(procRoot = '/proc') {
    this.system = new LinuxSystemReader(this.buf, procRoot);
    this.procs = new LinuxProcessReader(this.buf, new UserNames(), {
      procRoot,
      clockTicks: getconf('CLK_TCK', 100),
      pageSize: getconf('PAGESIZE', 4096),
      bootTimeMs: this.system.bootTimeSec() * 1000,
      maxOpenFds: Math.min(MAX_KEPT_FDS, Math.max(0, openFileLimit() - FD_RESERVE)),
    });
  }

  async load(): Promise<LoadSample> {
    return this.system.load();
  }

  async cpu(): Promise<CpuSample> {
    return this.system.cpu();
  }

  async memory(): Promise<MemorySample> {
    return this.system.memory();
  }

  async processes(match: (name: string) => boolean): Promise<ProcessSample[]> {
    return this.procs.list(match);
  }

  filesystems(): Promise<FilesystemSample[]> {
    return this.fs.read();
  }

  /** Processes tracked and descriptors held between collections. */
  stats(): { tracked: number; openFds: number } {
    return this.procs.stats();
  }

  close(): void {
    this.procs.close();
    this.system.close();
  }
}

/** A numeric `getconf` value, asked once at start-up (there is no Node API for sysconf). */
function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

/** The soft RLIMIT_NOFILE of this process, from /proc/self/limits (Node raises it to the hard limit at start). */
function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return 1024;
    return m[1] === 'unlimited' ? MAX_KEPT_FDS + FD_RESERVE : Number(m[1]);
  } catch {
    return 1024;
  }
}
