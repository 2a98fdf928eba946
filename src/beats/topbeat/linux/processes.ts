import { closeSync, openSync, readdirSync } from 'node:fs';
import type { ProcessSample } from '../types.js';
import type { ProcBuffer } from './proc-buffer.js';
import type { UserNames } from './users.js';

export interface ProcessReaderOptions {
  procRoot: string;
  /** USER_HZ, from `getconf CLK_TCK`. */
  clockTicks: number;
  pageSize: number;
  bootTimeMs: number;
  /** How many descriptors the reader may keep open (two per matched process, one per other process). */
  maxOpenFds: number;
}

/** What is kept about a process between collections. */
interface Tracked {
  statFd: number;
  statmFd: number;
  /** Start time in ticks since boot: with the pid, it identifies the process. */
  startTicks: number;
  name: string;
  /** Read once, when the process is first matched or after it exec'ed another program. */
  cmdline: string | undefined;
  username: string;
  generation: number;
}

const CLOSE_PAREN = 0x29;
const OPEN_PAREN = 0x28;

/**
 * The process table from /proc/<pid>/{stat,statm,status,cmdline}.
 *
 * Cost per process is what matters (1,000+ processes every period), so: descriptors of stat and statm are kept
 * open between collections and re-read with pread (a third of the cost of open + read + close); a process that
 * exited fails that read with ESRCH and is forgotten. cmdline and the owner (status) only change on exec or
 * setuid, so they are read when a process is first matched and again when its name changes. Numbers are parsed
 * from the bytes of one shared buffer; the only strings made per process are its name and the event's fields.
 */
export class LinuxProcessReader {
  private readonly tracked = new Map<number, Tracked>();
  private generation = 0;
  private openFds = 0;
  private readonly msPerTick: number;

  constructor(
    private readonly buf: ProcBuffer,
    private readonly users: UserNames,
    private readonly opts: ProcessReaderOptions,
  ) {
    this.msPerTick = 1000 / opts.clockTicks;
  }

  list(match: (name: string) => boolean): ProcessSample[] {
    const gen = ++this.generation;
    const out: ProcessSample[] = [];
    const b = this.buf;
    for (const entry of readdirSync(this.opts.procRoot)) {
      const c = entry.charCodeAt(0);
      if (c < 0x30 || c > 0x39) continue;
      const pid = Number(entry);
      let t = this.tracked.get(pid);
      if (t !== undefined && !this.readStat(t, pid)) {
        // Exited since the last collection (its pid may already be someone else's): start over.
        this.forget(pid, t);
        t = undefined;
      }
      if (t === undefined) {
        t = this.track(pid);
        if (t === undefined) continue;
      }
      t.generation = gen;

      // /proc/<pid>/stat: "pid (comm) S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
      //   utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss ..."
      // The name may itself contain parentheses and spaces: it runs from the first '(' to the last ')'.
      const close = b.len > 0 ? b.buf.lastIndexOf(CLOSE_PAREN, b.len - 1) : -1;
      const open = close > 0 ? b.buf.indexOf(OPEN_PAREN) : -1;
      if (open < 0 || open >= close || close + 2 >= b.len) continue;
      const name = b.buf.toString('utf8', open + 1, close);
      const state = String.fromCharCode(b.buf[close + 2]!);
      const ppid = b.uint(close + 3);
      let pos = b.end;
      for (let i = 0; i < 9; i++) pos = b.skipToken(pos);
      const utime = b.uint(pos);
      const stime = b.uint(b.end);
      pos = b.end;
      for (let i = 0; i < 6; i++) pos = b.skipToken(pos);
      const startTicks = b.uint(pos);

      if (t.startTicks !== startTicks || t.name !== name) {
        // A new program (exec) or, when descriptors are not kept, a reused pid: re-read what we cached.
        t.startTicks = startTicks;
        t.name = name;
        t.cmdline = undefined;
      }
      if (!match(name)) continue;

      if (t.statmFd < 0 && t.statFd >= 0 && this.openFds < this.opts.maxOpenFds) {
        t.statmFd = openOrMinus1(`${this.opts.procRoot}/${pid}/statm`);
        if (t.statmFd >= 0) this.openFds++;
      }
      const memOk = t.statmFd >= 0 ? b.readFd(t.statmFd) : b.readPath(`${this.opts.procRoot}/${pid}/statm`);
      if (!memOk) continue;
      const page = this.opts.pageSize;
      const size = b.uint(0) * page;
      const rss = b.uint(b.end) * page;
      const share = b.uint(b.end) * page;

      if (t.cmdline === undefined) this.readStatic(t, pid, gen);
      out.push({
        pid,
        ppid,
        name,
        state,
        userMs: Math.round(utime * this.msPerTick),
        systemMs: Math.round(stime * this.msPerTick),
        startMs: this.opts.bootTimeMs + Math.round(startTicks * this.msPerTick),
        size,
        rss,
        share,
        cmdline: t.cmdline ?? '',
        username: t.username,
      });
    }
    for (const [pid, t] of this.tracked) if (t.generation !== gen) this.forget(pid, t);
    return out;
  }

  /** Number of processes remembered and descriptors held (for tests and the benchmark). */
  stats(): { tracked: number; openFds: number } {
    return { tracked: this.tracked.size, openFds: this.openFds };
  }

  close(): void {
    for (const [pid, t] of this.tracked) this.forget(pid, t);
  }

  /** Reads stat of a tracked process into the buffer; false if it is gone. */
  private readStat(t: Tracked, pid: number): boolean {
    return t.statFd >= 0 ? this.buf.readFd(t.statFd) : this.buf.readPath(`${this.opts.procRoot}/${pid}/stat`);
  }

  /** Starts tracking a pid seen for the first time, leaving its stat in the buffer; undefined if it is gone. */
  private track(pid: number): Tracked | undefined {
    const path = `${this.opts.procRoot}/${pid}/stat`;
    let statFd = -1;
    if (this.openFds < this.opts.maxOpenFds) {
      statFd = openOrMinus1(path);
      if (statFd < 0) return undefined;
      this.openFds++;
    }
    const t: Tracked = { statFd, statmFd: -1, startTicks: -1, name: '', cmdline: undefined, username: '', generation: 0 };
    if (!this.readStat(t, pid)) {
      this.forget(pid, t);
      return undefined;
    }
    this.tracked.set(pid, t);
    return t;
  }

  /** cmdline and owner; the buffer's content (stat) is not needed any more when this runs. */
  private readStatic(t: Tracked, pid: number, gen: number): void {
    const b = this.buf;
    const dir = `${this.opts.procRoot}/${pid}`;
    t.cmdline = b.readPath(`${dir}/cmdline`) ? cmdlineText(b) : '';
    let uid = -1;
    if (b.readPath(`${dir}/status`)) {
      for (let pos = 0; pos < b.len; pos = b.nextLine(pos)) {
        // "Uid:\t<real>\t<effective>\t<saved>\t<fs>": the real user, as gosigar and `ps -o ruser` show.
        if (b.startsWith(pos, 'Uid:')) {
          uid = b.uint(pos + 4);
          break;
        }
      }
    }
    t.username = uid < 0 ? '' : this.users.name(uid, gen);
  }

  private forget(pid: number, t: Tracked): void {
    if (t.statFd >= 0) {
      closeSync(t.statFd);
      this.openFds--;
    }
    if (t.statmFd >= 0) {
      closeSync(t.statmFd);
      this.openFds--;
    }
    t.statFd = t.statmFd = -1;
    this.tracked.delete(pid);
  }
}

function openOrMinus1(path: string): number {
  try {
    return openSync(path, 'r');
  } catch {
    return -1;
  }
}

/** Arguments are NUL-separated (and NUL-terminated); shown space-separated like ps. */
function cmdlineText(b: ProcBuffer): string {
  let end = b.len;
  while (end > 0 && b.buf[end - 1] === 0) end--;
  for (let i = 0; i < end; i++) if (b.buf[i] === 0) b.buf[i] = 0x20;
  return b.buf.toString('utf8', 0, end);
}
