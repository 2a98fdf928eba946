// A minimal classic-pcap reader and a direct driver for one protocol plugin, used by the redis, memcache and
// thrift capture tests and benches to check a parser on the shared captures without the engine in between. It
// assumes what those captures are (loopback, in-order segments, no loss); the engine's own tests cover the rest.
// Packet timestamps can be replaced by frame numbers (ms = frame * 1000) so events reveal their frames.
import { readFileSync } from 'node:fs';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { nopLogger } from '../../../../src/libbeat/logp/logger.js';
import {
  isTcpProtocol,
  isUdpProtocol,
  type Endpoint,
  type Protocol,
  type ProtocolContext,
  type TcpConnection,
  type TcpProtocol,
} from '../../../../src/beats/packetbeat/protos/protocol.js';

export const CAPTURES = '/work/shared/captures';

export interface Frame {
  frame: number;
  ts: number;
  transport: 'tcp' | 'udp';
  src: Endpoint;
  dst: Endpoint;
  fin: boolean;
  payload: Buffer;
}

export function readPcap(file: string): Frame[] {
  const b = readFileSync(file);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const frames: Frame[] = [];
  let off = 24;
  let n = 0;
  while (off + 16 <= b.length) {
    const ts = u32(off) * 1000 + u32(off + 4) / 1000;
    const incl = u32(off + 8);
    const p = b.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    n++;
    const ethType = p.readUInt16BE(12);
    let ip = 14;
    let proto: number;
    let src: string;
    let dst: string;
    let end: number;
    if (ethType === 0x0800) {
      proto = p[ip + 9]!;
      src = [...p.subarray(ip + 12, ip + 16)].join('.');
      dst = [...p.subarray(ip + 16, ip + 20)].join('.');
      end = ip + p.readUInt16BE(ip + 2);
      ip += (p[ip]! & 0x0f) * 4;
    } else if (ethType === 0x86dd) {
      proto = p[ip + 6]!;
      src = v6(p.subarray(ip + 8, ip + 24));
      dst = v6(p.subarray(ip + 24, ip + 40));
      end = ip + 40 + p.readUInt16BE(ip + 4);
      ip += 40;
    } else continue;
    if (proto === 6) {
      const hl = (p[ip + 12]! >> 4) * 4;
      frames.push({
        frame: n,
        ts,
        transport: 'tcp',
        src: { ip: src, port: p.readUInt16BE(ip) },
        dst: { ip: dst, port: p.readUInt16BE(ip + 2) },
        fin: (p[ip + 13]! & 0x05) !== 0,
        payload: Buffer.from(p.subarray(ip + hl, end)),
      });
    } else if (proto === 17) {
      frames.push({
        frame: n,
        ts,
        transport: 'udp',
        src: { ip: src, port: p.readUInt16BE(ip) },
        dst: { ip: dst, port: p.readUInt16BE(ip + 2) },
        fin: false,
        payload: Buffer.from(p.subarray(ip + 8, end)),
      });
    }
  }
  return frames;
}

function v6(b: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(i).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function collectingContext(events: BeatEvent[], now: () => number = () => 0): ProtocolContext {
  return { report: (e) => void events.push(e), log: nopLogger, now };
}

/**
 * Feeds the frames to a protocol (TCP segments to `parse`, datagrams to `parseUdp` when it has one), closes every
 * connection at the end and flushes. With `frameClock`, packet times are frame numbers × 1000 ms.
 */
export function feedFrames(proto: Protocol, frames: readonly Frame[], opts: { frameClock?: boolean } = {}): void {
  const conns = new Map<string, { conn: TcpConnection; state: unknown }>();
  let nextId = 1;
  const ports = new Set(proto.ports);
  for (const f of frames) {
    const ts = opts.frameClock ? f.frame * 1000 : f.ts;
    const toServer = ports.has(f.dst.port);
    if (!toServer && !ports.has(f.src.port)) continue;
    const client = toServer ? f.src : f.dst;
    const server = toServer ? f.dst : f.src;
    const dir = toServer ? 0 : 1;
    if (f.transport === 'udp') {
      if (isUdpProtocol(proto)) proto.parseUdp({ ts, payload: f.payload }, client, server, dir);
      continue;
    }
    if (!isTcpProtocol(proto)) continue;
    const tcp: TcpProtocol = proto;
    const key = `${client.ip}:${client.port}-${server.ip}:${server.port}`;
    let c = conns.get(key);
    if (c === undefined) {
      c = { conn: { id: nextId++, client, server }, state: undefined };
      conns.set(key, c);
    }
    if (f.payload.length > 0) c.state = tcp.parse({ ts, payload: f.payload }, c.conn, dir, c.state);
    if (f.fin) c.state = tcp.receivedFin(c.conn, dir, c.state);
  }
  if (isTcpProtocol(proto)) for (const c of conns.values()) proto.connectionClosed(c.conn, c.state);
  if (isUdpProtocol(proto)) proto.flush();
}

export function loadExpected(name: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(`${CAPTURES}/${name}.expected.json`, 'utf8')) as Record<string, unknown>[];
}
