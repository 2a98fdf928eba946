// Thrift plugin throughput: transactions/s (parse both directions, pair, render params and results, build the
// event) on large synthetic streams of a Calculator-like service (unframed and framed: add(i32,i32), echo(string),
// calculate(i32, struct), range() -> list<i32>, a declared exception), with and without the IDL, and on the shared
// captures replayed many times; baseline: tshark's Thrift dissector on the same unframed stream as a pcap, in the
// same run. RSS after each. Run: npm run bench -- thrift   (BENCH_TX=150000 to change the stream size)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import type { TcpProtocol } from '../../src/beats/packetbeat/protos/protocol.js';
import { createThriftProtocol } from '../../src/beats/packetbeat/protos/thrift/index.js';
import { countingContext, fmt, replayCapture, report, rss, runPlugin, runTshark, writePcap, type Segment } from './kv-bench-common.js';
import { ThriftWriter } from '../../test/support/packetbeat/thrift-writer.js';

const TX = Number(process.env['BENCH_TX'] ?? 150_000);
const CAPTURES = process.env['PACKETBEAT_CAPTURES'] ?? '/work/shared/captures';
const PORT = 9090;
const IDL = `
struct Work { 1: i32 num1 = 0, 2: i32 num2, 3: i32 op, 4: optional string comment }
exception InvalidOperation { 1: i32 whatOp, 2: string why }
service Calculator {
  i32 add(1: i32 num1, 2: i32 num2),
  i32 calculate(1: i32 logid, 2: Work w) throws (1: InvalidOperation ouch),
  string echo(1: string msg),
  list<i32> range(1: i32 n)
}`;

function pool(n: number, framed: boolean): Segment[] {
  const out: Segment[] = [];
  const frame = (b: Buffer): Buffer => {
    if (!framed) return b;
    const h = Buffer.alloc(4);
    h.writeUInt32BE(b.length);
    return Buffer.concat([h, b]);
  };
  for (let i = 0; i < n; i++) {
    let call: ThriftWriter;
    let reply: ThriftWriter;
    switch (i % 5) {
      case 0:
        call = new ThriftWriter().strictHead(1, 'add', i).field(8, 1).i32(i).field(8, 2).i32(22).b(0);
        reply = new ThriftWriter().strictHead(2, 'add', i).field(8, 0).i32(i + 22).b(0);
        break;
      case 1:
        call = new ThriftWriter().strictHead(1, 'echo', i).field(11, 1).str(`hello thrift ${i}`).b(0);
        reply = new ThriftWriter().strictHead(2, 'echo', i).field(11, 0).str(`hello thrift ${i}`).b(0);
        break;
      case 2:
        call = new ThriftWriter().strictHead(1, 'calculate', i).field(8, 1).i32(i).field(12, 2).field(8, 1).i32(100).field(8, 2).i32(7).field(8, 3).i32(3).field(11, 4).str('seven hundred').b(0).b(0);
        reply = new ThriftWriter().strictHead(2, 'calculate', i).field(8, 0).i32(700).b(0);
        break;
      case 3: {
        call = new ThriftWriter().strictHead(1, 'range', i).field(8, 1).i32(10).b(0);
        reply = new ThriftWriter().strictHead(2, 'range', i).field(15, 0).b(8).i32(10);
        for (let k = 0; k < 10; k++) reply.i32(k);
        reply.b(0);
        break;
      }
      default:
        call = new ThriftWriter().strictHead(1, 'calculate', i).field(8, 1).i32(i).field(12, 2).field(8, 1).i32(1).field(8, 2).i32(0).field(8, 3).i32(4).b(0).b(0);
        reply = new ThriftWriter().strictHead(2, 'calculate', i).field(12, 1).field(8, 1).i32(4).field(11, 2).str('Cannot divide by 0').b(0).b(0);
    }
    out.push({ dir: 0, payload: frame(call.buf()) }, { dir: 1, payload: frame(reply.buf()) });
  }
  return out;
}

const cycle = (p: Segment[], n: number): Segment[] => {
  const out: Segment[] = [];
  const m = p.length / 2;
  for (let i = 0; i < n; i++) out.push(p[(i % m) * 2]!, p[(i % m) * 2 + 1]!);
  return out;
};

const dir = mkdtempSync(join(tmpdir(), 'bench-thrift-'));
try {
  const idlFile = join(dir, 'calc.thrift');
  writeFileSync(idlFile, IDL);
  const unframed = cycle(pool(1000, false), TX);
  const framed = cycle(pool(1000, true), TX);
  console.log(`RSS with the input built: ${rss()}`);
  const count = { n: 0 };
  const plain = createThriftProtocol(new ConfigNode({ ports: [PORT] }), countingContext('thrift', count)) as TcpProtocol;
  const withIdl = createThriftProtocol(new ConfigNode({ ports: [PORT], idl_files: [idlFile] }), countingContext('thrift', count)) as TcpProtocol;
  const framedP = createThriftProtocol(new ConfigNode({ ports: [PORT], transport_type: 'framed' }), countingContext('thrift', count)) as TcpProtocol;
  runPlugin(plain, count, unframed, PORT); // warm-up (JIT)
  const u = runPlugin(plain, count, unframed, PORT);
  const rssU = rss();
  const i = runPlugin(withIdl, count, unframed, PORT);
  console.log(`synthetic unframed stream with IDL names: plugin ${fmt(i.tps)} over ${i.tx.toLocaleString('en-US')} tx (${i.mbps.toFixed(0)} MB/s, RSS ${rss()})`);
  runPlugin(framedP, count, framed, PORT);
  const f = runPlugin(framedP, count, framed, PORT);
  console.log(`synthetic framed stream: plugin ${fmt(f.tps)} over ${f.tx.toLocaleString('en-US')} tx (${f.mbps.toFixed(0)} MB/s, RSS ${rss()})`);
  const small = unframed.slice(0, 20_000);
  const pcap = join(dir, 'thrift.pcap');
  writePcap(pcap, small, PORT);
  const ts = runTshark(pcap, `tcp.port==${PORT},thrift`, 'thrift', 'frame.number');
  const ours = runPlugin(plain, count, small, PORT);
  report('synthetic unframed stream', u, rssU, ts, small.length / 2, ours);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const LOOPS = 1500;
for (const [name, port] of [['thrift_unframed', 19090], ['thrift_framed', 19091]] as const) {
  const file = `${CAPTURES}/${name}.pcap`;
  if (!existsSync(file)) continue;
  const c = { n: 0 };
  const r = replayCapture(() => createThriftProtocol(new ConfigNode({ ports: [port] }), countingContext('thrift', c)), c, file, LOOPS);
  console.log(`${name}.pcap payloads x${LOOPS} (${r.tx.toLocaleString('en-US')} tx): ${fmt(r.tps)}, RSS ${rss()}`);
}
