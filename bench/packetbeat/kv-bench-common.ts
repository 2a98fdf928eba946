// Shared pieces of the redis, memcache and thrift benches: drive one plugin over a synthetic TCP stream, write the
// same stream as a pcap, time tshark dissecting it, replay a shared capture's payloads in a loop, print RSS.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import type { Direction, ProtocolContext, TcpConnection, TcpProtocol } from '../../src/beats/packetbeat/protos/protocol.js';
import { feedFrames, readPcap } from '../../test/integration/packetbeat/redis/pcap-feed.js';
import type { Protocol } from '../../src/beats/packetbeat/protos/protocol.js';

export interface Segment {
  dir: Direction;
  payload: Buffer;
}

export const rss = (): string => `${(process.memoryUsage().rss / 1048576).toFixed(1)} MB`;
export const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} tx/s`;

/** A context that counts the events of one type (and touches their fields, as an output would). */
export function countingContext(type: string, count: { n: number }): ProtocolContext {
  return {
    report: (e: BeatEvent) => {
      if (e.fields['type'] === type) count.n++;
    },
    log: nopLogger,
    now: () => 0,
  };
}

/** Runs the segments through one connection of the plugin; transactions/s and MB/s. */
export function runPlugin(p: TcpProtocol, count: { n: number }, segments: readonly Segment[], port: number): { tps: number; tx: number; mbps: number } {
  const conn: TcpConnection = { id: 1, client: { ip: '127.0.0.1', port: 40000 }, server: { ip: '127.0.0.1', port } };
  const start = count.n;
  let st: unknown;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    bytes += s.payload.length;
    st = p.parse({ ts: i, payload: s.payload }, conn, s.dir, st);
  }
  p.connectionClosed(conn, st);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const tx = count.n - start;
  return { tps: tx / secs, tx, mbps: bytes / secs / 1048576 };
}

/** Writes the segments as one loopback TCP connection (Ethernet/IPv4/TCP, real sequence numbers). */
export function writePcap(file: string, segments: readonly Segment[], port: number): number {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(262144, 16);
  gh.writeUInt32LE(1, 20);
  parts.push(gh);
  const seq = [1000, 5000];
  let t = 1_700_000_000_000_000;
  for (const s of segments) {
    const d = s.dir;
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + s.payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(d === 0 ? 40000 : port, 0);
    tcp.writeUInt16BE(d === 0 ? port : 40000, 2);
    tcp.writeUInt32BE(seq[d]! >>> 0, 4);
    tcp.writeUInt32BE(seq[1 - d]! >>> 0, 8);
    tcp[12] = 0x50;
    tcp[13] = 0x18;
    tcp.writeUInt16BE(65535, 14);
    seq[d] = (seq[d]! + s.payload.length) >>> 0;
    const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([8, 0]), ip, tcp, s.payload]);
    const rh = Buffer.alloc(16);
    t += 20;
    rh.writeUInt32LE(Math.floor(t / 1e6), 0);
    rh.writeUInt32LE(t % 1e6, 4);
    rh.writeUInt32LE(frame.length, 8);
    rh.writeUInt32LE(frame.length, 12);
    parts.push(rh, frame);
  }
  writeFileSync(file, Buffer.concat(parts));
  return segments.length;
}

/** Times tshark dissecting the file with `decodeAs` (process start included); lines of output as a sanity count. */
export function runTshark(file: string, decodeAs: string, filter: string, field: string): { secs: number; lines: number } | string {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('tshark', ['-n', '-r', file, '-d', decodeAs, '-Y', filter, '-T', 'fields', '-e', field], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || r.status !== 0) return `tshark not usable: ${r.error?.message ?? r.stderr.slice(0, 200)}`;
  return { secs, lines: r.stdout.split('\n').filter((l) => l !== '').length };
}

/** Replays a shared capture's frames `loops` times straight into the plugin; transactions/s. */
export function replayCapture(make: () => Protocol, count: { n: number }, file: string, loops: number): { tps: number; tx: number } {
  const frames = readPcap(file);
  const start = count.n;
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < loops; l++) feedFrames(make(), frames);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { tps: (count.n - start) / secs, tx: count.n - start };
}

/** Prints the synthetic-stream figures next to tshark on the same stream written as a pcap. */
export function report(
  label: string,
  plugin: { tps: number; tx: number; mbps: number },
  rssAfter: string,
  tshark: { secs: number; lines: number } | string,
  tsharkTx: number,
  oursOnPcapStream: { tps: number },
): void {
  console.log(`${label}: plugin ${fmt(plugin.tps)} over ${plugin.tx.toLocaleString('en-US')} tx (${plugin.mbps.toFixed(0)} MB/s, RSS ${rssAfter})`);
  if (typeof tshark === 'string') console.log(`  tshark baseline skipped: ${tshark}`);
  else {
    const tps = tsharkTx / tshark.secs;
    console.log(
      `  same stream as a pcap (${tsharkTx.toLocaleString('en-US')} tx): tshark ${fmt(tps)} (${tshark.secs.toFixed(2)} s, ` +
        `${tshark.lines.toLocaleString('en-US')} dissected lines, process start included)  plugin ${fmt(oursOnPcapStream.tps)}  ` +
        `ratio ${(oursOnPcapStream.tps / tps).toFixed(1)}`,
    );
  }
}
