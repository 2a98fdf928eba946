import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Logger } from '../../../libbeat/logp/logger.js';
import type { ProcessFinder } from './enrich.js';
import { ipv6Text } from '../decoder/ip-text.js';

export interface MonitoredProcess {
  process: string;
  cmdlineGrep: string;
}

/** One row of /proc/net/tcp{,6}: local address and socket inode. */
export interface SocketRow {
  ip: string;
  port: number;
  inode: number;
}

function hexIpv4(h: string): string {
  // /proc prints the address as a host-order (little-endian on x86/arm) 32-bit word
  const n = parseInt(h, 16);
  return `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`;
}

function hexIpv6(h: string): string {
  const bytes = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) bytes.writeUInt32LE(parseInt(h.slice(w * 8, w * 8 + 8), 16) >>> 0, w * 4);
  const text = ipv6Text(bytes, 0);
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}

/** Parses /proc/net/tcp or /proc/net/tcp6 text. IPv4-mapped IPv6 addresses are given in IPv4 form. */
export function parseProcNetTcp(text: string, v6: boolean): SocketRow[] {
  const out: SocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [addr, port] = f[1]!.split(':');
    if (addr === undefined || port === undefined) continue;
    const inode = Number(f[9]);
    if (!Number.isFinite(inode) || inode === 0) continue;
    out.push({ ip: v6 ? hexIpv6(addr) : hexIpv4(addr), port: parseInt(port, 16), inode });
  }
  return out;
}

/**
 * `procs`: maps local sockets to the monitored processes by scanning /proc (Linux): the PIDs whose command line
 * contains `cmdline_grep`, their socket inodes (/proc/<pid>/fd), and /proc/net/tcp{,6} for the addresses.
 * Rescanned at most once per `minRefreshMs` when a lookup misses.
 */
export class ProcsWatcher implements ProcessFinder {
  readonly #monitored: readonly MonitoredProcess[];
  readonly #log: Logger;
  readonly #procRoot: string;
  readonly #minRefreshMs: number;
  #byAddr = new Map<string, string>();
  #lastRefresh = -Infinity;

  constructor(monitored: readonly MonitoredProcess[], log: Logger, opts: { procRoot?: string; minRefreshMs?: number } = {}) {
    this.#monitored = monitored;
    this.#log = log;
    this.#procRoot = opts.procRoot ?? '/proc';
    this.#minRefreshMs = opts.minRefreshMs ?? 1000;
  }

  find(ip: string, port: number): string | undefined {
    let p = this.#lookup(ip, port);
    if (p === undefined && Date.now() - this.#lastRefresh >= this.#minRefreshMs) {
      this.refresh();
      p = this.#lookup(ip, port);
    }
    return p;
  }

  #lookup(ip: string, port: number): string | undefined {
    return this.#byAddr.get(`${ip}|${port}`) ?? this.#byAddr.get(`0.0.0.0|${port}`) ?? this.#byAddr.get(`::|${port}`);
  }

  refresh(): void {
    this.#lastRefresh = Date.now();
    const inodeToProc = new Map<number, string>();
    let pids: string[];
    try {
      pids = readdirSync(this.#procRoot).filter((d) => /^\d+$/.test(d));
    } catch (err) {
      this.#log.warn('procs: cannot read %s: %s', this.#procRoot, (err as Error).message);
      return;
    }
    for (const pid of pids) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`${this.#procRoot}/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      const m = this.#monitored.find((x) => cmdline.includes(x.cmdlineGrep));
      if (m === undefined) continue;
      let fds: string[];
      try {
        fds = readdirSync(`${this.#procRoot}/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const link = readlinkSync(`${this.#procRoot}/${pid}/fd/${fd}`);
          const mm = /^socket:\[(\d+)\]$/.exec(link);
          if (mm) inodeToProc.set(Number(mm[1]), m.process);
        } catch {
          // fd closed meanwhile
        }
      }
    }
    const byAddr = new Map<string, string>();
    for (const [file, v6] of [
      ['net/tcp', false],
      ['net/tcp6', true],
    ] as const) {
      let text: string;
      try {
        text = readFileSync(`${this.#procRoot}/${file}`, 'latin1');
      } catch {
        continue;
      }
      for (const row of parseProcNetTcp(text, v6)) {
        const name = inodeToProc.get(row.inode);
        if (name !== undefined) byAddr.set(`${row.ip}|${row.port}`, name);
      }
    }
    this.#byAddr = byAddr;
  }
}
