// A minimal pcap reader and TCP driver for the SQL protocol tests (until/besides the engine's runCapture): reads a
// classic pcap of Ethernet/IPv4/IPv6 TCP frames, orders each direction by sequence number (dropping
// retransmissions), and drives a TcpProtocol the way the engine's contract says. Each reported event is paired with
// the number of the frame being processed when it was reported (= the frame that completed the response).
import { readFileSync } from 'node:fs';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import type { Direction, ProtocolContext, ProtocolFactory, TcpConnection, TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { isTcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';

export interface Frame {
  no: number;
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  flags: number;
  payload: Buffer;
}

function ip6(b: Buffer, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(o + i).toString(16));
  const s = parts.join(':');
  return s === '0:0:0:0:0:0:0:1' ? '::1' : s.replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Reads the TCP frames of a classic pcap (EN10MB link type). */
export function readPcapTcp(file: string): Frame[] {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const frames: Frame[] = [];
  let off = 24;
  let no = 0;
  while (off + 16 <= b.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const start = off + 16;
    off = start + incl;
    no++;
    const ts = sec * 1000 + (nano ? frac / 1e6 : frac / 1e3);
    const eth = b.readUInt16BE(start + 12);
    let p = start + 14;
    let src: string;
    let dst: string;
    let proto: number;
    let end: number;
    if (eth === 0x0800) {
      const ihl = ((b[p] as number) & 0x0f) * 4;
      proto = b[p + 9] as number;
      end = p + b.readUInt16BE(p + 2);
      src = `${b[p + 12]}.${b[p + 13]}.${b[p + 14]}.${b[p + 15]}`;
      dst = `${b[p + 16]}.${b[p + 17]}.${b[p + 18]}.${b[p + 19]}`;
      p += ihl;
    } else if (eth === 0x86dd) {
      proto = b[p + 6] as number;
      end = p + 40 + b.readUInt16BE(p + 4);
      src = ip6(b, p + 8);
      dst = ip6(b, p + 24);
      p += 40;
    } else {
      continue;
    }
    if (proto !== 6) continue;
    const sport = b.readUInt16BE(p);
    const dport = b.readUInt16BE(p + 2);
    const seq = b.readUInt32BE(p + 4);
    const doff = ((b[p + 12] as number) >> 4) * 4;
    const flags = b[p + 13] as number;
    frames.push({ no, ts, src, dst, sport, dport, seq, flags, payload: b.subarray(p + doff, Math.min(end, off)) });
  }
  return frames;
}

export interface FedEvent {
  event: BeatEvent;
  /** Frame being processed when the event was reported (undefined: reported at the end of the capture). */
  frame: number | undefined;
}

interface Conn {
  conn: TcpConnection;
  state: unknown;
  next: [number | undefined, number | undefined];
}

/** Feeds the capture to a TCP protocol built from `config`; returns the reported events in order. */
export function feedPcap(file: string, factory: ProtocolFactory, config: Record<string, unknown>): FedEvent[] {
  const events: FedEvent[] = [];
  let current: number | undefined;
  let now = 0;
  const ctx: ProtocolContext = { report: (event) => events.push({ event, frame: current }), log: nopLogger, now: () => now };
  const proto = factory(new ConfigNode(config, 'test.yml', 'protocols.x'), ctx);
  if (!isTcpProtocol(proto)) throw new Error('not a TCP protocol');
  const p = proto as TcpProtocol;
  const conns = new Map<string, Conn>();
  let id = 0;
  for (const f of readPcapTcp(file)) {
    current = f.no;
    now = f.ts;
    const toServer = p.ports.includes(f.dport);
    if (!toServer && !p.ports.includes(f.sport)) continue;
    const client = toServer ? { ip: f.src, port: f.sport } : { ip: f.dst, port: f.dport };
    const server = toServer ? { ip: f.dst, port: f.dport } : { ip: f.src, port: f.sport };
    const key = `${client.ip}:${client.port}-${server.ip}:${server.port}`;
    let c = conns.get(key);
    if (c === undefined || (f.flags & 0x02 && toServer && c.next[0] !== undefined && f.payload.length === 0 && !(f.flags & 0x10))) {
      if (c !== undefined) p.connectionClosed(c.conn, c.state);
      c = { conn: { id: ++id, client, server }, state: undefined, next: [undefined, undefined] };
      conns.set(key, c);
    }
    const dir: Direction = toServer ? 0 : 1;
    let seq = f.seq;
    if (f.flags & 0x02) seq = (seq + 1) >>> 0;
    let payload = f.payload;
    const expect = c.next[dir];
    if (expect !== undefined && payload.length > 0) {
      const d = (seq - expect) | 0;
      if (d < 0) {
        if (-d >= payload.length) payload = payload.subarray(payload.length);
        else payload = payload.subarray(-d);
        seq = expect;
      } else if (d > 0) {
        const r = p.gapInStream(c.conn, dir, d, c.state);
        c.state = r.drop ? undefined : r.state;
      }
    }
    if (payload.length > 0) {
      c.state = p.parse({ ts: f.ts, payload }, c.conn, dir, c.state);
      c.next[dir] = (seq + payload.length) >>> 0;
    } else if (expect === undefined) {
      c.next[dir] = seq;
    }
    if (f.flags & 0x01) c.state = p.receivedFin(c.conn, dir, c.state);
    p.expire?.(now);
  }
  current = undefined;
  for (const c of conns.values()) p.connectionClosed(c.conn, c.state);
  return events;
}

/** Frame number → capture time (ms), for checking event timestamps against `request_frame`. */
export function frameTimes(file: string): Map<number, number> {
  return new Map(readPcapTcp(file).map((f) => [f.no, f.ts]));
}
