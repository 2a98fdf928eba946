import { openSync, writeSync, closeSync } from 'node:fs';
import { pcapFileHeader } from '../../../src/beats/packetbeat/pcap/writer.js';

export interface SynthHttpOptions {
  requests: number;
  connections: number;
  serverPort: number;
  /** Response body size in bytes. */
  bodySize?: number;
}

/**
 * Writes a pcap of HTTP/1.1 keep-alive traffic on loopback (Ethernet with zero MACs, like the shared captures):
 * `connections` connections round-robin, each request answered at once and ACKed by the client (3 packets per
 * request plus handshakes and closes). Returns the number of packets written.
 */
export function writeSyntheticHttpCapture(path: string, o: SynthHttpOptions): number {
  const fd = openSync(path, 'w');
  writeSync(fd, pcapFileHeader(1));
  const body = 'x'.repeat(o.bodySize ?? 120);
  const chunks: Buffer[] = [];
  let chunkBytes = 0;
  let packets = 0;
  let ts = 1_700_000_000_000_000; // µs
  const flush = (): void => {
    writeSync(fd, Buffer.concat(chunks));
    chunks.length = 0;
    chunkBytes = 0;
  };
  const emit = (sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer | undefined): void => {
    const plen = payload?.length ?? 0;
    const frame = 14 + 20 + 20 + plen;
    const b = Buffer.alloc(16 + frame);
    ts += 7;
    b.writeUInt32LE(Math.floor(ts / 1e6), 0);
    b.writeUInt32LE(ts % 1e6, 4);
    b.writeUInt32LE(frame, 8);
    b.writeUInt32LE(frame, 12);
    b.writeUInt16BE(0x0800, 16 + 12);
    const ip = 16 + 14;
    b[ip] = 0x45;
    b.writeUInt16BE(40 + plen, ip + 2);
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    b.writeUInt32BE(0x7f000001, ip + 12);
    b.writeUInt32BE(0x7f000001, ip + 16);
    const tcp = ip + 20;
    b.writeUInt16BE(sport, tcp);
    b.writeUInt16BE(dport, tcp + 2);
    b.writeUInt32BE(seq >>> 0, tcp + 4);
    b.writeUInt32BE(ack >>> 0, tcp + 8);
    b[tcp + 12] = 0x50;
    b[tcp + 13] = flags;
    b.writeUInt16BE(65535, tcp + 14);
    if (payload) payload.copy(b, tcp + 20);
    chunks.push(b);
    chunkBytes += b.length;
    packets++;
    if (chunkBytes > 4 << 20) flush();
  };
  const conns = Array.from({ length: o.connections }, (_, i) => ({ port: 30000 + i, cseq: 1000 + i * 7919, sseq: 50000 + i * 104729 }));
  for (const c of conns) {
    emit(c.port, o.serverPort, c.cseq, 0, 0x02, undefined);
    emit(o.serverPort, c.port, c.sseq, c.cseq + 1, 0x12, undefined);
    c.cseq++;
    c.sseq++;
    emit(c.port, o.serverPort, c.cseq, c.sseq, 0x10, undefined);
  }
  for (let i = 0; i < o.requests; i++) {
    const c = conns[i % conns.length]!;
    const req = Buffer.from(`GET /items/${i}?page=${i % 10} HTTP/1.1\r\nHost: 127.0.0.1:${o.serverPort}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n`);
    const resp = Buffer.from(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
    emit(c.port, o.serverPort, c.cseq, c.sseq, 0x18, req);
    c.cseq += req.length;
    emit(o.serverPort, c.port, c.sseq, c.cseq, 0x18, resp);
    c.sseq += resp.length;
    emit(c.port, o.serverPort, c.cseq, c.sseq, 0x10, undefined);
  }
  for (const c of conns) {
    emit(c.port, o.serverPort, c.cseq, c.sseq, 0x11, undefined);
    emit(o.serverPort, c.port, c.sseq, c.cseq + 1, 0x11, undefined);
    emit(c.port, o.serverPort, c.cseq + 1, c.sseq + 1, 0x10, undefined);
  }
  flush();
  closeSync(fd);
  return packets;
}
