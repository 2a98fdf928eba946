/**
 * Streaming reader for capture files and streams: classic pcap (µs and ns, both byte orders) and pcapng
 * (section header, interface description, enhanced / simple / obsolete packet blocks, both byte orders,
 * `if_tsresol`). Bytes in, packets out, no I/O; never throws on hostile input — a malformed stream ends with
 * `error` set and no more packets.
 */

/** One captured frame. `data` is a view into a buffer that is never reused (copy it to keep it small). */
export interface CapturedPacket {
  /** Capture time in ms since the epoch (fractional). */
  ts: number;
  /** Link type of the frame (LINKTYPE_* numbers from tcpdump.org). */
  linkType: number;
  data: Buffer;
  /** Length of the frame on the wire (>= data.length when the snaplen cut it). */
  origLen: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_US_SWAPPED = 0xd4c3b2a1;
const PCAP_MAGIC_NS_SWAPPED = 0x4d3cb2a1;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Records larger than this are treated as corruption (the biggest sane snaplen is 256 KiB; pcapng blocks allow 16 MiB). */
const MAX_RECORD = 16 * 1024 * 1024;

interface NgInterface {
  linkType: number;
  /** Multiply a raw timestamp by this to get ms. */
  tsToMs: number;
}

export class CaptureParser {
  format: CaptureFormat | undefined;
  /** Link type of a classic pcap stream (first interface for pcapng). */
  linkType: number | undefined;
  snaplen = 0;
  /** Set when the stream is not a capture or is corrupt; parsing has stopped. */
  error: string | undefined;
  /** Bytes consumed so far. */
  offset = 0;

  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  #little = true;
  #tsToMs = 1e-3;
  #ifaces: NgInterface[] = [];

  /**
   * Feeds bytes; `onPacket` is called for every complete packet. The chunk must not be modified afterwards
   * (packets are views into it).
   */
  push(chunk: Buffer, onPacket: (p: CapturedPacket) => void): void {
    if (this.error !== undefined) return;
    if (this.#pos < this.#buf.length) {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), chunk]);
    } else {
      this.#buf = chunk;
    }
    this.#pos = 0;
    if (this.format === undefined && !this.#readHeader()) return;
    if (this.format === 'pcap') this.#readPcap(onPacket);
    else if (this.format === 'pcapng') this.#readPcapng(onPacket);
  }

  /**
   * Hands back the bytes of an incomplete record and forgets them: a reader that puts them in front of its next
   * chunk itself (the file reader reads right behind them) avoids push() concatenating the whole chunk.
   */
  takeLeftover(): Buffer {
    const rest = this.#buf.subarray(this.#pos);
    this.#buf = Buffer.alloc(0);
    this.#pos = 0;
    return rest;
  }

  /** Bytes received but not yet forming a complete record (a truncated file ends with these). */
  get pendingBytes(): number {
    return this.#buf.length - this.#pos;
  }

  #fail(msg: string): void {
    this.error = msg;
    this.#buf = Buffer.alloc(0);
    this.#pos = 0;
  }

  #readHeader(): boolean {
    const b = this.#buf;
    if (b.length < 4) return false;
    const be = b.readUInt32BE(0);
    if (be === PCAPNG_SHB) {
      this.format = 'pcapng';
      return true;
    }
    if (b.length < 24) return false;
    let ns = false;
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      this.#little = false;
      ns = be === PCAP_MAGIC_NS;
    } else if (be === PCAP_MAGIC_US_SWAPPED || be === PCAP_MAGIC_NS_SWAPPED) {
      this.#little = true;
      ns = be === PCAP_MAGIC_NS_SWAPPED;
    } else {
      this.#fail(`not a pcap or pcapng capture (magic 0x${be.toString(16).padStart(8, '0')})`);
      return false;
    }
    this.#tsToMs = ns ? 1e-6 : 1e-3;
    this.snaplen = this.#u32(16);
    this.linkType = this.#u32(20) & 0x0fffffff;
    this.format = 'pcap';
    this.#pos = 24;
    this.offset += 24;
    return true;
  }

  #u32(at: number): number {
    return this.#little ? this.#buf.readUInt32LE(at) : this.#buf.readUInt32BE(at);
  }

  #u16(at: number): number {
    return this.#little ? this.#buf.readUInt16LE(at) : this.#buf.readUInt16BE(at);
  }

  #readPcap(onPacket: (p: CapturedPacket) => void): void {
    const b = this.#buf;
    const linkType = this.linkType ?? 1;
    const little = this.#little;
    const tsToMs = this.#tsToMs;
    let pos = this.#pos;
    while (b.length - pos >= 16) {
      const sec = little ? b.readUInt32LE(pos) : b.readUInt32BE(pos);
      const frac = little ? b.readUInt32LE(pos + 4) : b.readUInt32BE(pos + 4);
      const incl = little ? b.readUInt32LE(pos + 8) : b.readUInt32BE(pos + 8);
      const orig = little ? b.readUInt32LE(pos + 12) : b.readUInt32BE(pos + 12);
      if (incl > MAX_RECORD) {
        this.#fail(`corrupt pcap record at offset ${this.offset} (length ${incl})`);
        return;
      }
      if (b.length - pos - 16 < incl) break;
      const data = b.subarray(pos + 16, pos + 16 + incl);
      pos += 16 + incl;
      this.offset += 16 + incl;
      this.#pos = pos;
      onPacket({ ts: sec * 1000 + frac * tsToMs, linkType, data, origLen: Math.max(orig, incl) });
      if (this.error !== undefined) return;
    }
    this.#pos = pos;
  }

  #readPcapng(onPacket: (p: CapturedPacket) => void): void {
    for (;;) {
      const b = this.#buf;
      const pos = this.#pos;
      if (b.length - pos < 12) return;
      let type = this.#u32(pos);
      if (b.readUInt32BE(pos) === PCAPNG_SHB) {
        type = PCAPNG_SHB;
        const bom = b.readUInt32LE(pos + 8);
        if (bom === PCAPNG_BOM) this.#little = true;
        else if (b.readUInt32BE(pos + 8) === PCAPNG_BOM) this.#little = false;
        else return this.#fail(`corrupt pcapng section header at offset ${this.offset}`);
      }
      const len = this.#u32(pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
        return this.#fail(`corrupt pcapng block at offset ${this.offset} (length ${len})`);
      }
      if (b.length - pos < len) return;
      const body = pos + 8;
      const bodyLen = len - 12;
      this.#pos = pos + len;
      this.offset += len;
      switch (type) {
        case PCAPNG_SHB:
          this.#ifaces = [];
          break;
        case 1: // interface description
          if (bodyLen >= 8) this.#addInterface(body, bodyLen);
          break;
        case 6: // enhanced packet
        case 2: {
          // obsolete packet block: interface id is 16 bits followed by a 16-bit drop count
          if (bodyLen < 20) break;
          const ifId = type === 6 ? this.#u32(body) : this.#u16(body);
          const iface = this.#ifaces[ifId];
          if (iface === undefined) break;
          const hi = this.#u32(body + 4);
          const lo = this.#u32(body + 8);
          const cap = this.#u32(body + 12);
          const orig = this.#u32(body + 16);
          if (cap > bodyLen - 20) break;
          const data = b.subarray(body + 20, body + 20 + cap);
          onPacket({ ts: (hi * 4294967296 + lo) * iface.tsToMs, linkType: iface.linkType, data, origLen: Math.max(orig, cap) });
          break;
        }
        case 3: {
          // simple packet: interface 0, no timestamp
          const iface = this.#ifaces[0];
          if (iface === undefined || bodyLen < 4) break;
          const orig = this.#u32(body);
          const cap = Math.min(orig, bodyLen - 4);
          onPacket({ ts: 0, linkType: iface.linkType, data: b.subarray(body + 4, body + 4 + cap), origLen: orig });
          break;
        }
        default:
          break; // name resolution, statistics, custom blocks: not needed
      }
      if (this.error !== undefined) return;
    }
  }

  #addInterface(body: number, bodyLen: number): void {
    const linkType = this.#u16(body);
    const snaplen = this.#u32(body + 4);
    let tsToMs = 1e-3;
    // options: code(2) length(2) value padded to 4
    let p = body + 8;
    const end = body + bodyLen;
    while (end - p >= 4) {
      const code = this.#u16(p);
      const olen = this.#u16(p + 2);
      if (code === 0) break;
      if (p + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const r = this.#buf[p + 4]!;
        const exp = r & 0x7f;
        const unitsPerSec = r & 0x80 ? 2 ** exp : 10 ** exp;
        tsToMs = 1000 / unitsPerSec;
      }
      p += 4 + ((olen + 3) & ~3);
    }
    if (this.#ifaces.length === 0) {
      this.linkType = linkType;
      this.snaplen = snaplen;
    }
    this.#ifaces.push({ linkType, tsToMs });
  }
}
