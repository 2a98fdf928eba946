import type { CapturedPacket } from '../pcap/reader.js';
import { Defragmenter, type DefragLimits } from './defrag.js';
import { ipv4Text, ipv6Text } from './ip-text.js';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** A decoded TCP segment or UDP datagram. `payload` is a view into the captured frame (or a reassembled copy). */
export interface DecodedPacket {
  ts: number;
  transport: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** TCP only (0 for UDP). */
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
}

/** Counters of what the decoder skipped, by reason. */
export interface DecodeStats {
  packets: number;
  decoded: number;
  unsupportedLink: number;
  notIp: number;
  notTcpUdp: number;
  malformed: number;
  fragments: number;
  reassembled: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;

/**
 * Link layer → IP → TCP/UDP. Handles Ethernet (with any number of 802.1Q / 802.1ad tags), Linux cooked capture v1
 * and v2, BSD null/loopback (both byte orders), raw IP; IPv4 (with options and fragment reassembly) and IPv6
 * (extension headers, fragments). Never throws: anything it cannot decode is counted and skipped.
 */
export class PacketDecoder {
  readonly stats: DecodeStats = {
    packets: 0,
    decoded: 0,
    unsupportedLink: 0,
    notIp: 0,
    notTcpUdp: 0,
    malformed: 0,
    fragments: 0,
    reassembled: 0,
  };
  readonly defrag: Defragmenter;

  constructor(defragLimits: Partial<DefragLimits> = {}) {
    this.defrag = new Defragmenter(defragLimits);
  }

  decode(p: CapturedPacket): DecodedPacket | undefined {
    this.stats.packets++;
    const d = p.data;
    let off: number;
    let etherType: number;
    switch (p.linkType) {
      case 1: {
        // Ethernet (the all-zero header of loopback captures is just an Ethernet header with zero MACs)
        if (d.length < 14) return this.#malformed();
        etherType = d.readUInt16BE(12);
        off = 14;
        while (etherType === ETH_VLAN || etherType === ETH_QINQ || etherType === ETH_QINQ_OLD) {
          if (d.length < off + 4) return this.#malformed();
          etherType = d.readUInt16BE(off + 2);
          off += 4;
        }
        break;
      }
      case 113: // Linux cooked v1: 16-byte header, protocol at 14
        if (d.length < 16) return this.#malformed();
        etherType = d.readUInt16BE(14);
        off = 16;
        break;
      case 276: // Linux cooked v2: 20-byte header, protocol at 0
        if (d.length < 20) return this.#malformed();
        etherType = d.readUInt16BE(0);
        off = 20;
        break;
      case 0: // BSD null: address family in host byte order
      case 108: {
        // OpenBSD loop: network order
        if (d.length < 4) return this.#malformed();
        const le = d.readUInt32LE(0);
        const be = d.readUInt32BE(0);
        const af = p.linkType === 108 ? be : le < 256 ? le : be;
        etherType = af === 2 ? ETH_IPV4 : af === 24 || af === 28 || af === 30 || af === 10 ? ETH_IPV6 : 0;
        off = 4;
        break;
      }
      case 101: // raw IP
      case 12:
      case 14:
        if (d.length < 1) return this.#malformed();
        etherType = d[0]! >> 4 === 6 ? ETH_IPV6 : ETH_IPV4;
        off = 0;
        break;
      case 228:
        etherType = ETH_IPV4;
        off = 0;
        break;
      case 229:
        etherType = ETH_IPV6;
        off = 0;
        break;
      default:
        this.stats.unsupportedLink++;
        return undefined;
    }
    if (etherType === ETH_IPV4) return this.#ipv4(p.ts, d, off);
    if (etherType === ETH_IPV6) return this.#ipv6(p.ts, d, off);
    this.stats.notIp++;
    return undefined;
  }

  #malformed(): undefined {
    this.stats.malformed++;
    return undefined;
  }

  #ipv4(ts: number, d: Buffer, off: number): DecodedPacket | undefined {
    if (d.length < off + 20) return this.#malformed();
    const vihl = d[off]!;
    if (vihl >> 4 !== 4) return this.#malformed();
    const ihl = (vihl & 0x0f) * 4;
    const totalLen = d.readUInt16BE(off + 2);
    if (ihl < 20 || totalLen < ihl) return this.#malformed();
    // Truncated by snaplen: use what was captured. Ethernet padding: trust the IP length.
    const end = Math.min(d.length, off + totalLen);
    if (end < off + ihl) return this.#malformed();
    const proto = d[off + 9]!;
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) {
      this.stats.notTcpUdp++;
      return undefined;
    }
    const fragField = d.readUInt16BE(off + 6);
    const more = (fragField & 0x2000) !== 0;
    const fragOff = (fragField & 0x1fff) * 8;
    const srcIp = ipv4Text(d, off + 12);
    const dstIp = ipv4Text(d, off + 16);
    if (more || fragOff !== 0) {
      this.stats.fragments++;
      const key = `4|${srcIp}|${dstIp}|${proto}|${d.readUInt16BE(off + 4)}`;
      const whole = this.defrag.add(key, ts, fragOff, more, d.subarray(off + ihl, end));
      if (whole === undefined) return undefined;
      this.stats.reassembled++;
      return this.#transport(ts, proto, srcIp, dstIp, whole, 0, whole.length);
    }
    return this.#transport(ts, proto, srcIp, dstIp, d, off + ihl, end);
  }

  #ipv6(ts: number, d: Buffer, off: number): DecodedPacket | undefined {
    if (d.length < off + 40) return this.#malformed();
    if (d[off]! >> 4 !== 6) return this.#malformed();
    const payloadLen = d.readUInt16BE(off + 4);
    let next = d[off + 6]!;
    const end = payloadLen === 0 ? d.length : Math.min(d.length, off + 40 + payloadLen); // 0 = jumbogram
    let p = off + 40;
    let frag: { offset: number; more: boolean; id: number } | undefined;
    // extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60, (AH 51)
    for (let guard = 0; guard < 16; guard++) {
      if (next === 0 || next === 43 || next === 60) {
        if (end < p + 8) return this.#malformed();
        const len = (d[p + 1]! + 1) * 8;
        next = d[p]!;
        p += len;
      } else if (next === 51) {
        if (end < p + 8) return this.#malformed();
        const len = (d[p + 1]! + 2) * 4;
        next = d[p]!;
        p += len;
      } else if (next === 44) {
        if (end < p + 8) return this.#malformed();
        const f = d.readUInt16BE(p + 2);
        frag = { offset: f & 0xfff8, more: (f & 1) !== 0, id: d.readUInt32BE(p + 4) };
        next = d[p]!;
        p += 8;
      } else break;
    }
    if (p > end) return this.#malformed();
    if (next !== IPPROTO_TCP && next !== IPPROTO_UDP) {
      this.stats.notTcpUdp++;
      return undefined;
    }
    const srcIp = ipv6Text(d, off + 8);
    const dstIp = ipv6Text(d, off + 24);
    if (frag !== undefined && (frag.more || frag.offset !== 0)) {
      this.stats.fragments++;
      const whole = this.defrag.add(`6|${srcIp}|${dstIp}|${next}|${frag.id}`, ts, frag.offset, frag.more, d.subarray(p, end));
      if (whole === undefined) return undefined;
      this.stats.reassembled++;
      return this.#transport(ts, next, srcIp, dstIp, whole, 0, whole.length);
    }
    return this.#transport(ts, next, srcIp, dstIp, d, p, end);
  }

  /** TCP or UDP header at b[start..end). */
  #transport(ts: number, proto: number, srcIp: string, dstIp: string, b: Buffer, start: number, end: number): DecodedPacket | undefined {
    const len = end - start;
    if (proto === IPPROTO_TCP) {
      if (len < 20) return this.#malformed();
      const dataOff = (b[start + 12]! >> 4) * 4;
      if (dataOff < 20 || dataOff > len) return this.#malformed();
      this.stats.decoded++;
      return {
        ts,
        transport: IPPROTO_TCP,
        srcIp,
        dstIp,
        srcPort: (b[start]! << 8) | b[start + 1]!,
        dstPort: (b[start + 2]! << 8) | b[start + 3]!,
        seq: b.readUInt32BE(start + 4),
        ack: b.readUInt32BE(start + 8),
        flags: b[start + 13]!,
        payload: b.subarray(start + dataOff, end),
      };
    }
    if (len < 8) return this.#malformed();
    const udpLen = b.readUInt16BE(start + 4);
    const udpEnd = udpLen >= 8 ? Math.min(end, start + udpLen) : end;
    this.stats.decoded++;
    return {
      ts,
      transport: IPPROTO_UDP,
      srcIp,
      dstIp,
      srcPort: (b[start]! << 8) | b[start + 1]!,
      dstPort: (b[start + 2]! << 8) | b[start + 3]!,
      seq: 0,
      ack: 0,
      flags: 0,
      payload: b.subarray(start + 8, udpEnd),
    };
  }
}
