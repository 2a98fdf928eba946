// Memcache plugin throughput: transactions/s (parse both directions, pair, build the event) on a large synthetic
// text-protocol stream (set / get hit / get miss / multi-get / incr / delete) and a binary-protocol stream, and on
// the shared captures replayed many times (text, binary, and UDP with its multi-datagram response); baseline:
// tshark's memcache dissector on the same text stream as a pcap, in the same run. RSS after each.
// Run: npm run bench -- memcache   (BENCH_TX=150000 to change the stream size)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import type { TcpProtocol } from '../../src/beats/packetbeat/protos/protocol.js';
import { createMemcacheProtocol } from '../../src/beats/packetbeat/protos/memcache/index.js';
import { countingContext, fmt, replayCapture, report, rss, runPlugin, runTshark, writePcap, type Segment } from './kv-bench-common.js';

const TX = Number(process.env['BENCH_TX'] ?? 150_000);
const CAPTURES = process.env['PACKETBEAT_CAPTURES'] ?? '/work/shared/captures';
const PORT = 11211;

function textPool(n: number): Segment[] {
  const out: Segment[] = [];
  const seg = (dir: 0 | 1, s: string): Segment => ({ dir, payload: Buffer.from(s) });
  for (let i = 0; i < n; i++) {
    const v = `{"id":${i},"name":"user-${i}","plan":"pro"}`;
    switch (i % 6) {
      case 0:
        out.push(seg(0, `set user:${i} 0 300 ${v.length}\r\n${v}\r\n`), seg(1, 'STORED\r\n'));
        break;
      case 1:
        out.push(seg(0, `get user:${i}\r\n`), seg(1, `VALUE user:${i} 0 ${v.length}\r\n${v}\r\nEND\r\n`));
        break;
      case 2:
        out.push(seg(0, `get nouser:${i}\r\n`), seg(1, 'END\r\n'));
        break;
      case 3:
        out.push(seg(0, `gets a:${i} b:${i} c:${i}\r\n`), seg(1, `VALUE a:${i} 0 1 7\r\n1\r\nVALUE c:${i} 0 2 8\r\n22\r\nEND\r\n`));
        break;
      case 4:
        out.push(seg(0, `incr hits:${i} 1\r\n`), seg(1, `${i}\r\n`));
        break;
      default:
        out.push(seg(0, `delete user:${i}\r\n`), seg(1, i % 12 === 5 ? 'NOT_FOUND\r\n' : 'DELETED\r\n'));
    }
  }
  return out;
}

function bin(magic: number, op: number, opaque: number, key: string, value: string, extras = 0): Buffer {
  const h = Buffer.alloc(24 + extras);
  h[0] = magic;
  h[1] = op;
  h.writeUInt16BE(key.length, 2);
  h[4] = extras;
  h.writeUInt32BE(extras + key.length + value.length, 8);
  h.writeUInt32BE(opaque, 12);
  return Buffer.concat([h, Buffer.from(key), Buffer.from(value)]);
}

function binaryPool(n: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const v = `{"id":${i},"plan":"pro"}`;
    if (i % 2 === 0) out.push({ dir: 0, payload: bin(0x80, 0x01, i, `user:${i}`, v, 8) }, { dir: 1, payload: bin(0x81, 0x01, i, '', '') });
    else out.push({ dir: 0, payload: bin(0x80, 0x00, i, `user:${i}`, '') }, { dir: 1, payload: bin(0x81, 0x00, i, '', v, 4) });
  }
  return out;
}

const cycle = (pool: Segment[], n: number): Segment[] => {
  const out: Segment[] = [];
  const m = pool.length / 2;
  for (let i = 0; i < n; i++) out.push(pool[(i % m) * 2]!, pool[(i % m) * 2 + 1]!);
  return out;
};

const text = cycle(textPool(1200), TX);
const binary = cycle(binaryPool(1000), TX);
console.log(`RSS with the input built: ${rss()}`);
const count = { n: 0 };
const proto = createMemcacheProtocol(new ConfigNode({ ports: [PORT] }), countingContext('memcache', count)) as TcpProtocol;
runPlugin(proto, count, text, PORT); // warm-up (JIT)
const t = runPlugin(proto, count, text, PORT);
const rssText = rss();
runPlugin(proto, count, binary, PORT);
const b = runPlugin(proto, count, binary, PORT);
console.log(`synthetic binary-protocol stream: plugin ${fmt(b.tps)} over ${b.tx.toLocaleString('en-US')} tx (${b.mbps.toFixed(0)} MB/s, RSS ${rss()})`);

const dir = mkdtempSync(join(tmpdir(), 'bench-memcache-'));
try {
  const small = text.slice(0, 20_000);
  const pcap = join(dir, 'memcache.pcap');
  writePcap(pcap, small, PORT);
  const ts = runTshark(pcap, `tcp.port==${PORT},memcache`, 'memcache', 'frame.number');
  const ours = runPlugin(proto, count, small, PORT);
  report('synthetic text-protocol stream', t, rssText, ts, small.length / 2, ours);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const LOOPS = 1000;
for (const name of ['memcache_text', 'memcache_binary', 'memcache_udp']) {
  const file = `${CAPTURES}/${name}.pcap`;
  if (!existsSync(file)) continue;
  const c = { n: 0 };
  const r = replayCapture(() => createMemcacheProtocol(new ConfigNode({ ports: [21211], parseunknown: true }), countingContext('memcache', c)), c, file, LOOPS);
  console.log(`${name}.pcap payloads x${LOOPS} (${r.tx.toLocaleString('en-US')} tx): ${fmt(r.tps)}, RSS ${rss()}`);
}
