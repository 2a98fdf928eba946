// Redis plugin throughput: transactions/s (parse both directions, pair, build the event) on a large synthetic
// stream (SET/GET/INCR/LRANGE/MGET with status, bulk, integer, array and error replies) and on the shared capture
// redis.pcap replayed many times; baseline: tshark's RESP dissector on the same synthetic stream as a pcap, in the
// same run. RSS after each. Run: npm run bench -- redis   (BENCH_TX=150000 to change the stream size)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import type { TcpProtocol } from '../../src/beats/packetbeat/protos/protocol.js';
import { createRedisProtocol } from '../../src/beats/packetbeat/protos/redis/index.js';
import { countingContext, fmt, replayCapture, report, rss, runPlugin, runTshark, writePcap, type Segment } from './kv-bench-common.js';

const TX = Number(process.env['BENCH_TX'] ?? 150_000);
const CAPTURE = `${process.env['PACKETBEAT_CAPTURES'] ?? '/work/shared/captures'}/redis.pcap`;
const PORT = 6379;

const cmd = (...w: string[]): Buffer => Buffer.from(`*${w.length}\r\n` + w.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join(''));

function pool(n: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const k = `user:${i}:profile`;
    switch (i % 5) {
      case 0:
        out.push({ dir: 0, payload: cmd('SET', k, `{"id":${i},"name":"user-${i}","plan":"pro"}`) }, { dir: 1, payload: Buffer.from('+OK\r\n') });
        break;
      case 1: {
        const v = `{"id":${i},"name":"user-${i}","plan":"pro"}`;
        out.push({ dir: 0, payload: cmd('GET', k) }, { dir: 1, payload: Buffer.from(`$${v.length}\r\n${v}\r\n`) });
        break;
      }
      case 2:
        out.push({ dir: 0, payload: cmd('INCR', `hits:${i}`) }, { dir: 1, payload: Buffer.from(`:${i * 7}\r\n`) });
        break;
      case 3:
        out.push(
          { dir: 0, payload: cmd('LRANGE', `list:${i}`, '0', '9') },
          { dir: 1, payload: Buffer.from('*10\r\n' + Array.from({ length: 10 }, (_, j) => `$6\r\nitem-${j}\r\n`).join('')) },
        );
        break;
      default:
        out.push({ dir: 0, payload: cmd('HGET', k, 'missing') }, { dir: 1, payload: Buffer.from(i % 10 === 4 ? '$-1\r\n' : '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n') });
    }
  }
  return out;
}

const p = pool(1000);
const stream: Segment[] = [];
for (let i = 0; i < TX; i++) stream.push(p[(i % 1000) * 2]!, p[(i % 1000) * 2 + 1]!);
console.log(`RSS with the input built: ${rss()}`);
const count = { n: 0 };
const proto = createRedisProtocol(new ConfigNode({ ports: [PORT] }), countingContext('redis', count)) as TcpProtocol;
runPlugin(proto, count, stream, PORT); // warm-up (JIT)
const plugin = runPlugin(proto, count, stream, PORT);
const rssPlugin = rss();

const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
try {
  const small = stream.slice(0, 20_000);
  const pcap = join(dir, 'redis.pcap');
  writePcap(pcap, small, PORT);
  const ts = runTshark(pcap, `tcp.port==${PORT},resp`, 'resp', 'frame.number');
  const ours = runPlugin(proto, count, small, PORT);
  report('synthetic redis stream', plugin, rssPlugin, ts, small.length / 2, ours);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (existsSync(CAPTURE)) {
  const LOOPS = 150;
  const c = { n: 0 };
  const r = replayCapture(() => createRedisProtocol(new ConfigNode({ ports: [16379] }), countingContext('redis', c)), c, CAPTURE, LOOPS);
  console.log(`redis.pcap payloads x${LOOPS} (${r.tx.toLocaleString('en-US')} tx, incl. the 172 KB COMMAND DOCS reply each loop): ${fmt(r.tps)}, RSS ${rss()}`);
}
