import { createRequire } from 'node:module';
import { BeatsError } from '../../../libbeat/common/errors.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import type { CapturedPacket } from '../pcap/reader.js';
import { hasCaptureRights, type LiveOptions, type PacketSource } from './tcpdump.js';

/** The part of the npm `pcap` package (node_pcap 3.x, libpcap binding) this source uses. */
interface PcapSessionLike {
  on(event: 'packet', fn: (raw: { buf: Buffer; header: Buffer; link_type: string }) => void): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}
interface PcapModule {
  createSession(
    device: string,
    opts: { filter?: string; buffer_size?: number; snap_length?: number; buffer_timeout?: number; promiscuous?: boolean },
  ): PcapSessionLike;
  lib_version: string;
}

const LINK_TYPES: Record<string, number> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINKTYPE_IEEE802_11_RADIO: 127,
};

let cached: PcapModule | null | undefined;

/**
 * The optional native binding (`npm install pcap`; needs libpcap-dev and Node headers at install time —
 * `npm_config_nodedir=/usr` on Debian). Undefined when it is not installed or did not build.
 */
export function loadLibpcap(): PcapModule | undefined {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)('pcap') as PcapModule;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * Live capture through libpcap in this process (node_pcap): no extra process, kernel drop statistics, 10 ms buffer
 * timeout. Each packet is copied out of the binding's reused buffer.
 */
export class LibpcapSource implements PacketSource {
  readonly stats: { received?: number; dropped?: number } = {};
  readonly #opts: LiveOptions;
  readonly #pcap: PcapModule;
  #session: PcapSessionLike | undefined;
  #finish: () => void = () => {};

  constructor(pcap: PcapModule, opts: LiveOptions) {
    this.#pcap = pcap;
    this.#opts = opts;
  }

  run(onPacket: (p: CapturedPacket) => void): Promise<void> {
    const o = this.#opts;
    if (!hasCaptureRights()) {
      return Promise.reject(
        new BeatsError('BEAT_ERR_PERMISSION', 'live capture needs root or the CAP_NET_RAW capability (run as root, or read a file with -I)', { userError: true }),
      );
    }
    let session: PcapSessionLike;
    try {
      session = this.#pcap.createSession(o.device, {
        filter: o.filter,
        buffer_size: o.bufferSizeMb * 1024 * 1024,
        snap_length: o.snaplen,
        buffer_timeout: 10,
        promiscuous: o.device !== 'any',
      });
    } catch (err) {
      const msg = (err as Error).message;
      const perm = /permission|not permitted/i.test(msg);
      return Promise.reject(
        new BeatsError(perm ? 'BEAT_ERR_PERMISSION' : 'BEAT_ERR_IO', `cannot capture on ${o.device}: ${msg}${perm ? ' (needs root or CAP_NET_RAW)' : ''}`, { userError: true }),
      );
    }
    this.#session = session;
    o.log.info('Capture started on %s with filter %s (%s).', o.device, JSON.stringify(o.filter), this.#pcap.lib_version);
    session.on('packet', (raw) => {
      const h = raw.header;
      const caplen = h.readUInt32LE(8);
      onPacket({
        ts: h.readUInt32LE(0) * 1000 + h.readUInt32LE(4) / 1000,
        linkType: LINK_TYPES[raw.link_type] ?? -1,
        data: Buffer.from(raw.buf.subarray(0, caplen)),
        origLen: h.readUInt32LE(12),
      });
    });
    return new Promise<void>((resolve) => (this.#finish = resolve));
  }

  stop(): void {
    const s = this.#session;
    if (s === undefined) return;
    this.#session = undefined;
    try {
      const st = s.stats();
      this.stats.received = st.ps_recv;
      this.stats.dropped = st.ps_drop + st.ps_ifdrop;
    } catch {
      // stats unavailable on this device
    }
    s.close();
    this.#finish();
  }
}

/** Picks the live source: `interfaces.source` libpcap / tcpdump, or auto (libpcap when the binding loads). */
export function chooseLiveSource(kind: 'auto' | 'libpcap' | 'tcpdump', opts: LiveOptions, log: Logger, tcpdump: () => PacketSource): PacketSource {
  if (kind === 'tcpdump') return tcpdump();
  const pcap = loadLibpcap();
  if (pcap !== undefined) return new LibpcapSource(pcap, opts);
  if (kind === 'libpcap') {
    throw new BeatsError(
      'BEAT_ERR_UNSUPPORTED',
      'interfaces.source: libpcap needs the optional npm package "pcap" (apt-get install libpcap-dev; npm_config_nodedir=/usr npm install pcap)',
      { userError: true },
    );
  }
  log.info('Native libpcap binding not available (optional npm package "pcap"); capturing through tcpdump.');
  return tcpdump();
}
