import { closeSync, openSync } from 'node:fs';
import type { CpuSample, CpuTimes, LoadSample, MemorySample } from '../types.js';
import type { ProcBuffer } from './proc-buffer.js';

/** A /proc file kept open and re-read with pread on every collection. */
class KeptFile {
  private fd = -1;
  constructor(readonly path: string) {}

  read(buf: ProcBuffer): void {
    if (this.fd < 0) this.fd = openSync(this.path, 'r');
    if (!buf.readFd(this.fd)) throw new Error(`cannot read ${this.path}`);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Machine-wide counters from /proc/loadavg, /proc/stat and /proc/meminfo. */
export class LinuxSystemReader {
  private readonly loadavg: KeptFile;
  private readonly stat: KeptFile;
  private readonly meminfo: KeptFile;

  constructor(
    private readonly buf: ProcBuffer,
    procRoot = '/proc',
  ) {
    this.loadavg = new KeptFile(`${procRoot}/loadavg`);
    this.stat = new KeptFile(`${procRoot}/stat`);
    this.meminfo = new KeptFile(`${procRoot}/meminfo`);
  }

  load(): LoadSample {
    const b = this.buf;
    this.loadavg.read(b);
    const load1 = b.decimal(0);
    const load5 = b.decimal(b.end);
    const load15 = b.decimal(b.end);
    return { load1, load5, load15 };
  }

  /** The `cpu` and `cpuN` lines of /proc/stat. */
  cpu(): CpuSample {
    const b = this.buf;
    this.stat.read(b);
    let total: CpuTimes | undefined;
    const cores: CpuTimes[] = [];
    for (let pos = 0; pos < b.len && b.startsWith(pos, 'cpu'); pos = b.nextLine(pos)) {
      const isTotal = b.buf[pos + 3] === 0x20;
      const times = parseCpuLine(b, b.skipToken(pos));
      if (isTotal) total = times;
      else cores.push(times);
    }
    if (!total) throw new Error('no cpu line in /proc/stat');
    return { total, cores };
  }

  /** Boot time (seconds since the epoch), from the btime line of /proc/stat. */
  bootTimeSec(): number {
    const b = this.buf;
    this.stat.read(b);
    for (let pos = 0; pos < b.len; pos = b.nextLine(pos)) {
      if (b.startsWith(pos, 'btime ')) return b.uint(pos + 6);
    }
    throw new Error('no btime line in /proc/stat');
  }

  memory(): MemorySample {
    const b = this.buf;
    this.meminfo.read(b);
    let total = 0;
    let free = 0;
    let available = -1;
    let buffers = 0;
    let cached = 0;
    let swapTotal = 0;
    let swapFree = 0;
    for (let pos = 0; pos < b.len; pos = b.nextLine(pos)) {
      // Values are in kB ("MemTotal:       16318252 kB").
      if (b.startsWith(pos, 'MemTotal:')) total = b.uint(pos + 9) * 1024;
      else if (b.startsWith(pos, 'MemFree:')) free = b.uint(pos + 8) * 1024;
      else if (b.startsWith(pos, 'MemAvailable:')) available = b.uint(pos + 13) * 1024;
      else if (b.startsWith(pos, 'Buffers:')) buffers = b.uint(pos + 8) * 1024;
      else if (b.startsWith(pos, 'Cached:')) cached = b.uint(pos + 7) * 1024;
      else if (b.startsWith(pos, 'SwapTotal:')) swapTotal = b.uint(pos + 10) * 1024;
      else if (b.startsWith(pos, 'SwapFree:')) {
        swapFree = b.uint(pos + 9) * 1024;
        break; // the last key we need; meminfo lists them in this order
      }
    }
    if (available < 0) available = Math.min(total, free + buffers + cached);
    return { total, free, available, swapTotal, swapFree };
  }

  close(): void {
    this.loadavg.close();
    this.stat.close();
    this.meminfo.close();
  }
}

function parseCpuLine(b: ProcBuffer, pos: number): CpuTimes {
  const user = b.uint(pos);
  const nice = b.uint(b.end);
  const system = b.uint(b.end);
  const idle = b.uint(b.end);
  const iowait = b.uint(b.end);
  const irq = b.uint(b.end);
  const softirq = b.uint(b.end);
  const steal = b.uint(b.end);
  return { user, nice, system, idle, iowait, irq, softirq, steal };
}
