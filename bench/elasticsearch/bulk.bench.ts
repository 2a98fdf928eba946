// Elasticsearch output throughput: docs/s from a producer through the pipeline and the ES output (1 and 2 workers)
// into the ES test server (count-only bulk, in a child process), with RSS; next to a baseline measured in the same
// run: raw undici POSTs of pre-encoded bulk bodies of the same size to the same server (the HTTP + server
// ceiling). Run: npm run bench -- elasticsearch   (BENCH_EVENTS=… to change the count)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { PublishPipeline } from '../../src/libbeat/publisher/pipeline/pipeline.js';
import { createElasticsearchOutput } from '../../src/libbeat/outputs/elasticsearch/index.js';
import { BulkEncoder } from '../../src/libbeat/outputs/elasticsearch/bulk-encoder.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 600_000);
const BATCH = 2048;
const BEAT = { beat: 'bench', version: '0', name: 'bench-host', hostname: 'bench-host' };

function makeEvent(i: number): BeatEvent {
  return { timestamp: new Date(), fields: { type: 'log', message: 'GET /index.html 200 1234 "Mozilla/5.0"', offset: i * 40, source: '/var/log/app.log' }, private: i };
}

const child = spawn(process.execPath, [fileURLToPath(new URL('./server-child.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const iter = lines[Symbol.asyncIterator]();
const url = ((await iter.next()).value as string).trim();
async function serverItems(): Promise<number> {
  child.stdin!.write('stats\n');
  return Number(((await iter.next()).value as string).split(' ')[1]);
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} docs/s`;

async function throughOutput(workers: number): Promise<{ rate: number; rss: string }> {
  const group = await createElasticsearchOutput(
    new ConfigNode({ hosts: [url], worker: workers, bulk_max_size: BATCH, flush_interval: '10ms', template: { enabled: false } }),
    { beat: BEAT, log: nopLogger, metrics: new Registry() },
  );
  const pipeline = new PublishPipeline({ beat: BEAT, outputs: new Map([['elasticsearch', group]]), log: nopLogger, metrics: new Registry(), queueSize: 2 * BATCH * workers });
  pipeline.start();
  let acked = 0;
  const c = pipeline.connect({ guaranteed: true, onAck: (p) => void (acked += p.length) });
  const before = await serverItems();
  let peak = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = c.publish(makeEvent(i));
    if (p) await p;
    if ((i & 65535) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  await c.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  await pipeline.close(2000);
  const got = (await serverItems()) - before;
  if (acked !== N || got !== N) throw new Error(`acked ${acked}, server got ${got}, of ${N}`);
  return { rate: N / secs, rss: (peak / 1048576).toFixed(1) };
}

/** The ceiling: one keep-alive connection per worker POSTing the same pre-encoded body, no encoding, no pipeline. */
async function baseline(workers: number): Promise<number> {
  const events = Array.from({ length: BATCH }, (_, i) => makeEvent(i));
  for (const e of events) e.fields = { ...e.fields, beat: { name: BEAT.name, hostname: BEAT.hostname }, count: 1 };
  const body = Buffer.from(new BulkEncoder({ index: 'bench', types: 'none' }).encode(events).body);
  const origin = new URL(url).origin;
  const rounds = Math.ceil(N / BATCH / workers);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = new Client(origin, { keepAliveTimeout: 60_000 });
      for (let r = 0; r < rounds; r++) {
        const res = await client.request({ path: '/_bulk', method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
        await res.body.text();
      }
      await client.close();
    }),
  );
  return (rounds * BATCH * workers) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

try {
  console.log(`${N.toLocaleString('en-US')} events, bulk_max_size ${BATCH}, server: ES test server (count-only) in a child process`);
  for (const w of [1, 2]) {
    const out = await throughOutput(w);
    const base = await baseline(w);
    console.log(
      `worker ${w}: output ${fmt(out.rate)} (peak RSS ${out.rss} MB)  baseline raw undici POST of pre-encoded bodies ${fmt(base)}  ratio ${(out.rate / base).toFixed(2)}`,
    );
  }
} finally {
  child.stdin!.end();
  await once(child, 'exit');
}
