// HTTP parser + correlation throughput: transactions/s of the HTTP plugin (parse both directions, pair, build the
// full transaction event) on (1) a large synthetic keep-alive stream and (2) the payloads of the shared capture
// http.pcap replayed many times; each next to baselines measured in the same run: a plain Node loop that only
// splits messages on `\r\n\r\n` + Content-Length, and tshark decoding the synthetic stream written as a pcap file.
// RSS is printed after each run. Run: npm run bench -- http   (BENCH_TX=200000 to change the stream size)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import type { Direction, TcpConnection } from '../../src/beats/packetbeat/protos/protocol.js';
import { HttpProtocol, createHttpProtocol, type HttpConnState } from '../../src/beats/packetbeat/protos/http/index.js';

const TX = Number(process.env['BENCH_TX'] ?? 200_000);
const CAPTURE = `${process.env['PACKETBEAT_CAPTURES'] ?? '/work/shared/captures'}/http.pcap`;

interface Segment {
  dir: Direction;
  payload: Buffer;
}

/**
 * A keep-alive conversation like wrk against nginx: small GETs, 200 responses with 612-byte bodies, some 404s. The
 * segments cycle through a pool of 1000 distinct exchanges so the input itself does not dominate RSS.
 */
function syntheticStream(n: number): Segment[] {
  const pool = syntheticPool(Math.min(n, 1000));
  const out: Segment[] = [];
  for (let i = 0; i < n; i++) out.push(pool[(i % 1000) * 2] as Segment, pool[(i % 1000) * 2 + 1] as Segment);
  return out;
}

function syntheticPool(n: number): Segment[] {
  const body = Buffer.alloc(612, 0x61);
  const out: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const path = i % 10 === 9 ? `/missing/${i}` : `/index.html?page=${i % 100}`;
    out.push({
      dir: 0,
      payload: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n`),
    });
    const ok = i % 10 !== 9;
    const b = ok ? body : body.subarray(0, 153);
    const head =
      `HTTP/1.1 ${ok ? '200 OK' : '404 Not Found'}\r\nServer: nginx/1.22.1\r\nDate: Wed, 02 Dec 2026 02:00:00 GMT\r\n` +
      `Content-Type: text/html\r\nContent-Length: ${b.length}\r\nConnection: keep-alive\r\n\r\n`;
    out.push({ dir: 1, payload: Buffer.concat([Buffer.from(head), b]) });
  }
  return out;
}

/** TCP payloads of a pcap (Ethernet/IPv4/IPv6, in capture order; the shared captures are clean loopback traffic). */
function capturePayloads(file: string, port: number): Array<Segment & { conn: string }> {
  const buf = readFileSync(file);
  const out: Array<Segment & { conn: string }> = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = buf.readUInt32LE(off + 8);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const et = pkt.readUInt16BE(12);
    let l4: number;
    if (et === 0x0800) {
      if (pkt[23] !== 6) continue;
      l4 = 14 + ((pkt[14] as number) & 15) * 4;
    } else if (et === 0x86dd) {
      if (pkt[20] !== 6) continue;
      l4 = 54;
    } else continue;
    const sp = pkt.readUInt16BE(l4);
    const dp = pkt.readUInt16BE(l4 + 2);
    const payload = pkt.subarray(l4 + ((pkt[l4 + 12] as number) >> 4) * 4);
    if (payload.length === 0) continue;
    out.push({ dir: dp === port ? 0 : 1, payload, conn: String(dp === port ? sp : dp) });
  }
  return out;
}

function newProtocol(count: { n: number }): HttpProtocol {
  const p = createHttpProtocol(new ConfigNode({ ports: [8080, 18080] }), {
    report: (e) => {
      if (e.fields['type'] === 'http') count.n++;
    },
    log: nopLogger,
    now: () => 0,
  });
  return p as HttpProtocol;
}

function runPlugin(segments: Segment[]): { tps: number; tx: number; mbps: number } {
  const count = { n: 0 };
  const p = newProtocol(count);
  const conn: TcpConnection = { id: 1, client: { ip: '127.0.0.1', port: 40000 }, server: { ip: '127.0.0.1', port: 8080 } };
  let st: HttpConnState | undefined;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    bytes += s.payload.length;
    st = p.parse({ ts: i, payload: s.payload }, conn, s.dir, st);
  }
  p.connectionClosed(conn, st);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { tps: count.n / secs, tx: count.n, mbps: bytes / secs / 1048576 };
}

/** Baseline: only find each message's end (`\r\n\r\n`, then Content-Length bytes), pair by counting. No fields. */
function runSplitLoop(segments: Segment[]): { tps: number; tx: number } {
  const pending: [Buffer | undefined, Buffer | undefined] = [undefined, undefined];
  const skip = [0, 0];
  const seen = [0, 0];
  const CL = Buffer.from('Content-Length: ');
  const t0 = process.hrtime.bigint();
  for (const s of segments) {
    let b = s.payload;
    const d = s.dir;
    const prev = pending[d];
    if (prev !== undefined) b = Buffer.concat([prev, b]);
    pending[d] = undefined;
    let pos = Math.min(skip[d] as number, b.length);
    skip[d] = (skip[d] as number) - pos;
    while (pos < b.length) {
      const end = b.indexOf('\r\n\r\n', pos);
      if (end < 0) {
        pending[d] = b.subarray(pos);
        break;
      }
      const cl = b.indexOf(CL, pos);
      let len = 0;
      if (cl >= 0 && cl < end) {
        for (let i = cl + CL.length; i < end; i++) {
          const c = b[i] as number;
          if (c < 48 || c > 57) break;
          len = len * 10 + c - 48;
        }
      }
      seen[d] = (seen[d] as number) + 1;
      pos = end + 4 + len;
      if (pos > b.length) {
        skip[d] = pos - b.length;
        break;
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const tx = Math.min(seen[0] as number, seen[1] as number);
  return { tps: tx / secs, tx };
}

/** Writes the segments as a pcap of one loopback TCP connection (Ethernet/IPv4/TCP with real sequence numbers). */
function writePcap(file: string, segments: Segment[]): number {
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
    ip.writeUInt16BE(20 + 20 + s.payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(d === 0 ? 40000 : 8080, 0);
    tcp.writeUInt16BE(d === 0 ? 8080 : 40000, 2);
    tcp.writeUInt32BE((seq[d] as number) >>> 0, 4);
    tcp.writeUInt32BE((seq[1 - d] as number) >>> 0, 8);
    tcp[12] = 0x50;
    tcp[13] = 0x18;
    tcp.writeUInt16BE(65535, 14);
    seq[d] = ((seq[d] as number) + s.payload.length) >>> 0;
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

function runTshark(file: string): { tps: number; pps: number; tx: number } | string {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('tshark', ['-n', '-r', file, '-d', 'tcp.port==8080,http', '-Y', 'http.response', '-T', 'fields', '-e', 'http.response.code'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || r.status !== 0) return `tshark not usable: ${r.error?.message ?? r.stderr.slice(0, 200)}`;
  const tx = r.stdout.split('\n').filter((l) => l !== '').length;
  return { tps: tx / secs, pps: 0, tx };
}

/** RSS after a full GC (when run with --expose-gc, as `npm run bench` does): what stays, not what awaits collection. */
const rss = (): string => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return `${(m.rss / 1048576).toFixed(1)} MB, heap ${(m.heapUsed / 1048576).toFixed(1)} MB`;
};
const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} tx/s`;

const stream = syntheticStream(TX);
console.log(`RSS with the input built: ${rss()}`);
runPlugin(stream.slice(0, 20_000)); // warm-up
const plugin = runPlugin(stream);
const rssPlugin = rss();
const base = runSplitLoop(stream);
console.log(
  `synthetic keep-alive (${plugin.tx.toLocaleString('en-US')} tx, ${stream.length.toLocaleString('en-US')} segments): ` +
    `plugin ${fmt(plugin.tps)} (${plugin.mbps.toFixed(0)} MB/s, RSS ${rssPlugin})  ` +
    `split-loop baseline ${fmt(base.tps)}  ratio ${(plugin.tps / base.tps).toFixed(2)}`,
);

const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
try {
  const small = stream.slice(0, Math.min(stream.length, 40_000));
  const pcap = join(dir, 'synthetic.pcap');
  const packets = writePcap(pcap, small);
  const ts = runTshark(pcap);
  const ours = runPlugin(small);
  if (typeof ts === 'string') console.log(`tshark baseline skipped: ${ts}`);
  else {
    console.log(
      `same stream as a pcap (${packets.toLocaleString('en-US')} packets, ${ts.tx.toLocaleString('en-US')} tx): tshark ${fmt(ts.tps)} ` +
        `(${Math.round((packets / ts.tx) * ts.tps).toLocaleString('en-US')} packets/s, process start included)  ` +
        `plugin ${fmt(ours.tps)}  ratio ${(ours.tps / ts.tps).toFixed(1)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (existsSync(CAPTURE)) {
  const segs = capturePayloads(CAPTURE, 18080);
  const LOOPS = 2000;
  const count = { n: 0 };
  const p = newProtocol(count);
  const t0 = process.hrtime.bigint();
  let id = 0;
  for (let l = 0; l < LOOPS; l++) {
    const conns = new Map<string, { conn: TcpConnection; st: HttpConnState | undefined }>();
    for (const s of segs) {
      let c = conns.get(s.conn);
      if (c === undefined) {
        c = { conn: { id: ++id, client: { ip: '127.0.0.1', port: Number(s.conn) }, server: { ip: '127.0.0.1', port: 18080 } }, st: undefined };
        conns.set(s.conn, c);
      }
      c.st = p.parse({ ts: l, payload: s.payload }, c.conn, s.dir, c.st);
    }
    for (const c of conns.values()) p.connectionClosed(c.conn, c.st);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `http.pcap payloads x${LOOPS} (${segs.length} segments per loop, ${count.n.toLocaleString('en-US')} tx): plugin ${fmt(count.n / secs)} ` +
      `(${Math.round((segs.length * LOOPS) / secs).toLocaleString('en-US')} segments/s, RSS ${rss()})`,
  );
} else console.log(`shared capture ${CAPTURE} not found: capture replay skipped`);
