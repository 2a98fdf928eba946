import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { BeatsError } from '../../../libbeat/common/errors.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import { CaptureParser, type CapturedPacket } from '../pcap/reader.js';

/** A live packet source. `run` resolves when the capture ends (stop() or the source failing after start). */
export interface PacketSource {
  run(onPacket: (p: CapturedPacket) => void): Promise<void>;
  stop(): void;
  /** Kernel/source counters when known (after the source ended). */
  readonly stats: { received?: number; dropped?: number };
}

export interface LiveOptions {
  device: string;
  snaplen: number;
  bufferSizeMb: number;
  filter: string;
  log: Logger;
  /** The capture program (tests and odd installs); default `tcpdump`. */
  tcpdumpPath?: string;
}

/** Whether this process may open a raw socket: root, or CAP_NET_RAW in the effective set. */
export function hasCaptureRights(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << 13n)) !== 0n;
  } catch {
    return false;
  }
}

/** Device names as `-devices` lists them (tcpdump -D when available, else the OS interfaces plus `any`). */
export function listDevices(tcpdumpPath = 'tcpdump'): string[] {
  const r = spawnSync(tcpdumpPath, ['-D'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim() !== '') {
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replace(/^\d+\.\s*/, ''));
  }
  return ['any', ...Object.keys(networkInterfaces())];
}

/** `device` may be a name or an index into the `-devices` list. */
export function resolveDevice(device: string, tcpdumpPath?: string): string {
  if (!/^\d+$/.test(device)) return device;
  const list = listDevices(tcpdumpPath);
  const d = list[Number(device)];
  if (d === undefined) throw new BeatsError('BEAT_ERR_CONFIG', `interfaces.device: no device with index ${device} (run with -devices)`, { userError: true });
  return d.split(' ')[0]!;
}

/**
 * Live capture by running `tcpdump -U -w -` and parsing its pcap stream (no native code in this process). Needs
 * root or CAP_NET_RAW (checked first, with a clear message) and the tcpdump binary.
 */
export class TcpdumpSource implements PacketSource {
  readonly stats: { received?: number; dropped?: number } = {};
  readonly #opts: LiveOptions;
  #child: ChildProcess | undefined;
  #stopped = false;

  constructor(opts: LiveOptions) {
    this.#opts = opts;
  }

  run(onPacket: (p: CapturedPacket) => void): Promise<void> {
    const o = this.#opts;
    if (!hasCaptureRights()) {
      return Promise.reject(
        new BeatsError('BEAT_ERR_PERMISSION', 'live capture needs root or the CAP_NET_RAW capability (run as root, or read a file with -I)', { userError: true }),
      );
    }
    const args = ['-U', '-n', '-w', '-', '-i', o.device, '-s', String(o.snaplen), '-B', String(o.bufferSizeMb * 1024)];
    if (o.filter !== '') args.push(o.filter);
    o.log.info('Sniffing on %s with filter %s (tcpdump)', o.device, JSON.stringify(o.filter));
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(o.tcpdumpPath ?? 'tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        reject(err);
        return;
      }
      this.#child = child;
      const parser = new CaptureParser();
      let stderr = '';
      let gotHeader = false;
      child.stdout!.on('data', (chunk: Buffer) => {
        gotHeader = true;
        parser.push(chunk, onPacket);
      });
      let listening = false;
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!listening && /listening on/.test(stderr)) {
          listening = true;
          o.log.info('Capture started on %s.', o.device);
        }
        if (stderr.length > 16384) stderr = stderr.slice(-8192);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT'
            ? new BeatsError('BEAT_ERR_UNSUPPORTED', 'live capture needs tcpdump (apt-get install tcpdump), or read a file with -I', { userError: true })
            : err,
        );
      });
      child.on('close', (code, signal) => {
        this.#child = undefined;
        const m = /(\d+) packets? received by filter[\s\S]*?(\d+) packets? dropped by kernel/.exec(stderr);
        if (m) {
          this.stats.received = Number(m[1]);
          this.stats.dropped = Number(m[2]);
        }
        if (this.#stopped || signal === 'SIGINT' || signal === 'SIGTERM') return resolve();
        const why = stderr.trim().split('\n').filter((l) => !/^tcpdump: (listening|verbose)/.test(l)).join('; ');
        if (/permission|not permitted/i.test(why)) {
          return reject(new BeatsError('BEAT_ERR_PERMISSION', `live capture on ${o.device} not permitted (needs root or CAP_NET_RAW): ${why}`, { userError: true }));
        }
        if (!gotHeader || code !== 0) {
          return reject(new BeatsError('BEAT_ERR_IO', `capture on ${o.device} failed (tcpdump exit ${code ?? signal}): ${why}`, { userError: true }));
        }
        resolve();
      });
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#child?.kill('SIGINT');
  }
}
