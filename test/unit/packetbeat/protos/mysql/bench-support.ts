// Shared by the SQL/MongoDB benchmarks: a large synthetic capture made of one real conversation repeated on many
// connections, timed through the parser alone, through the whole engine, and through tshark on the same file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProtocolFactory, TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { buildPcap, LINKTYPE_ETHERNET } from '../../../../../src/beats/packetbeat/pcap/writer.js';
import { Conversation, ethernet, tcpIp } from '../../../../support/packetbeat/frames.js';
import { runCapture } from '../../../../support/packetbeat/run-capture.js';
import { converse, type Chunk } from './harness.js';

const mb = (): string => (process.memoryUsage().rss / 1048576).toFixed(0);
const rate = (n: number, secs: number): string => `${Math.round(n / secs).toLocaleString('en-US')}/s`;

/** Writes `conns` copies of the conversation, each on its own connection (handshake, payload, close). */
export function writeRepeatedCapture(chunks: readonly Chunk[], port: number, conns: number): { file: string; dir: string; frames: number } {
  const dir = mkdtempSync(join(tmpdir(), 'pb-bench-'));
  const packets: { ts: number; data: Buffer }[] = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < conns; i++) {
    const conv = new Conversation({ ip: '10.0.0.1', port: 10000 + (i % 50000) }, { ip: '10.0.0.2', port }, [1000 + i, 900000 + i]).handshake();
    for (const c of chunks) {
      if (c.dir === 0) conv.client_(c.data);
      else conv.server_(c.data);
    }
    conv.close();
    for (const s of conv.segments) packets.push({ ts: (ts += 0.05), data: ethernet(tcpIp(s)) });
  }
  const file = join(dir, 'bench.pcap');
  writeFileSync(file, buildPcap(LINKTYPE_ETHERNET, packets));
  return { file, dir, frames: packets.length };
}

export interface BenchSpec {
  name: string;
  factory: ProtocolFactory;
  port: number;
  chunks: Chunk[];
  /** tshark dissector name for `-d tcp.port==N,<name>` and the display filter. */
  tshark: string;
  conns: number;
}

export async function runProtocolBench(spec: BenchSpec): Promise<void> {
  const cfg = { ports: [spec.port] };
  const perConv = converse(spec.factory, cfg, spec.chunks).length;
  const bytesPerConv = spec.chunks.reduce((n, c) => n + c.data.length, 0);
  console.log(`${spec.name}: conversation of ${spec.chunks.length} segments, ${bytesPerConv} bytes, ${perConv} transactions; ${spec.conns} connections`);

  // 1. parser alone: one protocol instance fed the segment payloads of many connections (no engine)
  const reps = spec.conns * 3;
  let n = 0;
  const proto = spec.factory(new ConfigNode(cfg, 'bench', `protocols.${spec.name}`), { report: () => void n++, log: nopLogger, now: () => 0 }) as TcpProtocol;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) {
    const conn = { id: i, client: { ip: '10.0.0.1', port: 10000 + (i % 50000) }, server: { ip: '10.0.0.2', port: spec.port } };
    let st: unknown;
    for (const c of spec.chunks) st = proto.parse({ ts: c.ts, payload: c.data }, conn, c.dir, st);
    proto.connectionClosed(conn, st);
  }
  const s1 = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`  parser only : ${rate(n, s1)} transactions, ${((bytesPerConv * reps) / s1 / 1048576).toFixed(1)} MB/s  (RSS ${mb()} MB)`);

  // 2. the whole engine on a pcap file (read, decode, reassemble, parse, correlate, build events), after a warm-up
  //    run on a small file so that the figure is not the JIT's first pass over the engine
  const warm = writeRepeatedCapture(spec.chunks, spec.port, 200);
  await runCapture(warm.file, { [spec.name]: cfg });
  rmSync(warm.dir, { recursive: true, force: true });
  const cap = writeRepeatedCapture(spec.chunks, spec.port, spec.conns);
  try {
    const size = statSync(cap.file).size;
    const t1 = process.hrtime.bigint();
    const events = await runCapture(cap.file, { [spec.name]: cfg });
    const s2 = Number(process.hrtime.bigint() - t1) / 1e9;
    if (events.length !== perConv * spec.conns) throw new Error(`engine gave ${events.length} transactions, expected ${perConv * spec.conns}`);
    console.log(
      `  engine      : ${rate(events.length, s2)} transactions, ${rate(cap.frames, s2)} frames (${(size / 1048576).toFixed(1)} MB pcap, ${s2.toFixed(2)} s)  (RSS ${mb()} MB)`,
    );

    // 3. baseline: tshark dissecting the same file with the protocol's dissector
    const args = ['-n', '-r', cap.file, '-d', `tcp.port==${spec.port},${spec.tshark}`, '-Y', spec.tshark, '-T', 'fields', '-e', 'frame.number'];
    const t2 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', 'tshark', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const s3 = Number(process.hrtime.bigint() - t2) / 1e9;
    if (r.status !== 0) {
      console.log(`  tshark      : not available (${(r.stderr ?? '').trim().split('\n').pop() ?? r.error?.message})`);
    } else {
      const lines = r.stdout.split('\n').filter((l) => l !== '').length;
      const kb = Number((r.stderr.trim().split('\n').pop() ?? '0').trim());
      console.log(
        `  tshark      : ${rate(events.length, s3)} transactions equivalent, ${rate(cap.frames, s3)} frames (${lines} ${spec.tshark} frames, ${s3.toFixed(2)} s)  (max RSS ${(kb / 1024).toFixed(0)} MB)`,
      );
      console.log(`  ratio engine/tshark: ${(s3 / s2).toFixed(2)}x`);
    }
  } finally {
    rmSync(cap.dir, { recursive: true, force: true });
  }
}
