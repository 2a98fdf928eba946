// Packetbeat engine throughput: a synthetic HTTP keep-alive capture (BENCH_REQUESTS requests, 3 packets each) read
// from disk through the pcap reader, decoder and TCP reassembly into (a) a byte-counting plugin (engine cost alone)
// and (b) the builtin HTTP protocol producing full transaction events (when it is implemented); packets/s,
// transactions/s and RSS, next to tshark decoding the same file in the same run (`-Y http -T fields -e
// http.request.uri`). Run: npm run bench -- packetbeat/engine   (BENCH_PCAP=file to use a real capture instead)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { builtinProtocols } from '../../src/beats/packetbeat/protos/builtin.js';
import type { Protocol, TcpProtocol } from '../../src/beats/packetbeat/protos/protocol.js';
import { PacketEngine } from '../../src/beats/packetbeat/sniffer/engine.js';
import { buildProtocols } from '../../src/beats/packetbeat/sniffer/protocols.js';
import { replayFile } from '../../src/beats/packetbeat/source/file.js';
import { writeSyntheticHttpCapture } from '../../test/support/packetbeat/synth-http.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 200_000);
const PORT = 18080;

function countingPlugin(): { proto: TcpProtocol<number>; bytes: () => number } {
  let bytes = 0;
  return {
    bytes: () => bytes,
    proto: {
      name: 'count',
      ports: [PORT],
      transactionTimeoutMs: 10_000,
      parse: (pkt, _c, _d, s) => {
        bytes += pkt.payload.length;
        return (s ?? 0) + 1;
      },
      receivedFin: (_c, _d, s) => s,
      gapInStream: (_c, _d, _n, s) => ({ state: s, drop: false }),
      connectionClosed: () => {},
    },
  };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function runEngine(file: string, protos: Protocol[]): Promise<{ pps: number; secs: number; packets: number }> {
  const engine = new PacketEngine(protos, { log: nopLogger });
  const t0 = process.hrtime.bigint();
  const packets = await replayFile(file, (p) => engine.packet(p), { topSpeed: true, loops: 1 });
  engine.finish();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { pps: packets / secs, secs, packets };
}

function tshark(file: string, packets: number): string {
  const t0 = Date.now();
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.error) return 'tshark not installed';
  const secs = (Date.now() - t0) / 1000;
  const uris = r.stdout.split('\n').filter((l) => l !== '').length;
  return `${Math.round(packets / secs).toLocaleString()} packets/s (${uris} http frames with a uri in ${secs.toFixed(1)} s)`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-bench-'));
  try {
    const file = process.env['BENCH_PCAP'] ?? join(dir, 'http.pcap');
    if (process.env['BENCH_PCAP'] === undefined) {
      const t0 = Date.now();
      const n = writeSyntheticHttpCapture(file, { requests: REQUESTS, connections: 64, serverPort: PORT });
      console.log(`capture: ${n.toLocaleString()} packets, ${(statSync(file).size / 1e6).toFixed(0)} MB (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    peakRss = process.memoryUsage().rss;
    const count = countingPlugin();
    const a = await runEngine(file, [count.proto]);
    console.log(`engine (read+decode+reassembly, counting plugin): ${Math.round(a.pps).toLocaleString()} packets/s, ${(count.bytes() / 1e6).toFixed(0)} MB payload, peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
    let events = 0;
    let protos: Protocol[] | undefined;
    try {
      protos = buildProtocols(builtinProtocols(), new ConfigNode({ http: { ports: [PORT] } }, 'bench', 'protocols'), {
        log: nopLogger,
        now: () => 0,
        report: () => void events++,
      });
    } catch (err) {
      console.log(`engine + http: skipped (${(err as Error).message})`);
    }
    if (protos) {
      peakRss = process.memoryUsage().rss;
      const b = await runEngine(file, protos);
      console.log(
        `engine + http (full transaction events): ${Math.round(b.pps).toLocaleString()} packets/s, ${Math.round(events / b.secs).toLocaleString()} transactions/s (${events} events), peak RSS ${(peakRss / 1e6).toFixed(0)} MB`,
      );
    }
    console.log(`baseline tshark -Y http on the same file: ${tshark(file, a.packets)}`);
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
