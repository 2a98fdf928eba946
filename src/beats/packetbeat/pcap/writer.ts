import type { CapturedPacket } from './reader.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

/** The 24-byte global header of a little-endian, microsecond classic pcap. */
export function pcapFileHeader(linkType: number, snaplen = 262144): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

/** One classic pcap record (16-byte header + data). */
export function pcapRecord(ts: number, data: Buffer, origLen = data.length): Buffer {
  const h = Buffer.alloc(16 + data.length);
  const sec = Math.floor(ts / 1000);
  const usec = Math.min(999_999, Math.round((ts - sec * 1000) * 1000));
  h.writeUInt32LE(sec, 0);
  h.writeUInt32LE(usec, 4);
  h.writeUInt32LE(data.length, 8);
  h.writeUInt32LE(origLen, 12);
  data.copy(h, 16);
  return h;
}

/** A whole classic pcap file in memory. */
export function buildPcap(linkType: number, packets: readonly { ts: number; data: Buffer }[]): Buffer {
  return Buffer.concat([pcapFileHeader(linkType), ...packets.map((p) => pcapRecord(p.ts, p.data))]);
}

/**
 * Writes packets to a classic pcap stream (`-dump FILE`). The link type is taken from the first packet; packets
 * of another link type are skipped (classic pcap has one link type per file).
 */
export class PcapWriter {
  #linkType: number | undefined;
  readonly #write: (b: Buffer) => void;

  constructor(write: (b: Buffer) => void) {
    this.#write = write;
  }

  write(p: CapturedPacket): void {
    if (this.#linkType === undefined) {
      this.#linkType = p.linkType;
      this.#write(pcapFileHeader(p.linkType));
    }
    if (p.linkType !== this.#linkType) return;
    this.#write(pcapRecord(p.ts, p.data, p.origLen));
  }
}

/** pcapng bytes for tests: one section, one interface (µs), enhanced packet blocks; little or big endian. */
export function buildPcapng(linkType: number, packets: readonly { ts: number; data: Buffer }[], bigEndian = false): Buffer {
  const parts: Buffer[] = [];
  const u32 = (b: Buffer, v: number, at: number): void => void (bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  const u16 = (b: Buffer, v: number, at: number): void => void (bigEndian ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const shb = Buffer.alloc(28);
  u32(shb, 0x0a0d0d0a, 0);
  u32(shb, 28, 4);
  u32(shb, 0x1a2b3c4d, 8);
  u16(shb, 1, 12);
  u16(shb, 0, 14);
  shb.fill(0xff, 16, 24); // section length -1
  u32(shb, 28, 24);
  parts.push(shb);
  const idb = Buffer.alloc(20);
  u32(idb, 1, 0);
  u32(idb, 20, 4);
  u16(idb, linkType, 8);
  u32(idb, 262144, 12);
  u32(idb, 20, 16);
  parts.push(idb);
  for (const p of packets) {
    const padded = (p.data.length + 3) & ~3;
    const len = 32 + padded;
    const epb = Buffer.alloc(len);
    u32(epb, 6, 0);
    u32(epb, len, 4);
    u32(epb, 0, 8);
    const us = Math.round(p.ts * 1000);
    u32(epb, Math.floor(us / 4294967296), 12);
    u32(epb, us % 4294967296, 16);
    u32(epb, p.data.length, 20);
    u32(epb, p.data.length, 24);
    p.data.copy(epb, 28);
    u32(epb, len, len - 4);
    parts.push(epb);
  }
  return Buffer.concat(parts);
}
