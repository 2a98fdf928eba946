// Elasticsearch output throughput: docs/s from a producer through the pipeline and the ES output (1 and 2 workers)
// into the ES test server (count-only bulk, in its own process), with peak RSS; next to two references measured
// in the same run: raw undici POSTs of pre-encoded bulk bodies of the same size to the same server (the HTTP +
// server ceiling), and the pipeline with a null output (what the pipeline alone costs in time and memory).
// Each measurement runs in a fresh process so RSS figures are not mixed.
// Run: npm run bench -- elasticsearch   (BENCH_EVENTS=… to change the count)
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { PublishPipeline } from '../../src/libbeat/publisher/pipeline/pipeline.js';
import type { OutputGroup } from '../../src/libbeat/outputs/output.js';
import { createElasticsearchOutput } from '../../src/libbeat/outputs/elasticsearch/index.js';
import { BulkEncoder } from '../../src/libbeat/outputs/elasticsearch/bulk-encoder.js';
import { NO_ERRORS, parseBulkResponse } from '../../src/libbeat/outputs/elasticsearch/bulk-response.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 300_000);
const BATCH = 2048;
const BEAT = { beat: 'bench', version: '0', name: 'bench-host', hostname: 'bench-host' };
const MODE = process.env['ES_BENCH_MODE'];
const URL_ = process.env['ES_BENCH_URL'] ?? '';

function makeEvent(i: number): BeatEvent {
  return { timestamp: new Date(), fields: { type: 'log', message: 'GET /index.html 200 1234 "Mozilla/5.0"', offset: i * 40, source: '/var/log/app.log' }, private: i };
}

interface Result {
  rate: number;
  rssMb: number;
}

async function throughPipeline(group: OutputGroup, workers: number): Promise<Result> {
  const pipeline = new PublishPipeline({ beat: BEAT, outputs: new Map([['out', group]]), log: nopLogger, metrics: new Registry(), queueSize: 2 * BATCH * workers });
  pipeline.start();
  let acked = 0;
  const c = pipeline.connect({ guaranteed: true, onAck: (p) => void (acked += p.length) });
  let peak = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = c.publish(makeEvent(i));
    if (p) await p;
    if ((i & 16383) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  await c.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  await pipeline.close(2000);
  if (acked !== N) throw new Error(`acked ${acked} of ${N}`);
  return { rate: N / secs, rssMb: peak / 1048576 };
}

async function esOutput(workers: number): Promise<Result> {
  const group = await createElasticsearchOutput(
    new ConfigNode({ hosts: [URL_], worker: workers, bulk_max_size: BATCH, flush_interval: '10ms', template: { enabled: false } }),
    { beat: BEAT, log: nopLogger, metrics: new Registry() },
  );
  return throughPipeline(group, workers);
}

async function nullOutput(): Promise<Result> {
  const group: OutputGroup = { clients: [{ name: 'null', publish: async (b) => b.ack(), close: async () => {} }], batchSize: BATCH, maxRetries: -1, loadbalance: true, flushIntervalMs: 10 };
  return throughPipeline(group, 1);
}

/** The ceiling: one keep-alive connection per worker POSTing the same pre-encoded body; no encoding, no pipeline. */
async function raw(workers: number): Promise<Result> {
  const events = Array.from({ length: BATCH }, (_, i) => makeEvent(i));
  for (const e of events) e.fields = { ...e.fields, beat: { name: BEAT.name, hostname: BEAT.hostname }, count: 1 };
  const body = Buffer.from(new BulkEncoder({ index: 'bench', types: 'none' }).encode(events).body);
  const origin = new URL(URL_).origin;
  const rounds = Math.ceil(N / BATCH / workers);
  let peak = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = new Client(origin, { keepAliveTimeout: 60_000 });
      for (let r = 0; r < rounds; r++) {
        const res = await client.request({ path: '/_bulk', method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
        await res.body.text();
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      await client.close();
    }),
  );
  return { rate: (rounds * BATCH * workers) / (Number(process.hrtime.bigint() - t0) / 1e9), rssMb: peak / 1048576 };
}

/** The output's own CPU work per document, no network: encode bulk bodies and read a successful response. */
function cpuOnly(): Result {
  const enc = new BulkEncoder({ index: 'bench', types: 'none' });
  const okBody = `{"errors":false,"items":[${new Array<string>(BATCH).fill('{"index":{"status":201}}').join(',')}]}`;
  let peak = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  while (done < N) {
    const events = Array.from({ length: BATCH }, (_, i) => makeEvent(done + i));
    const { body } = enc.encode(events);
    const r = parseBulkResponse(okBody.slice(0, 64), BATCH, NO_ERRORS.test(okBody.slice(0, 64)));
    if (!r || body.length === 0) throw new Error('bad');
    done += BATCH;
    if ((done & (BATCH * 16 - 1)) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const rate = done / (Number(process.hrtime.bigint() - t0) / 1e9);
  return { rate, rssMb: Math.max(peak, process.memoryUsage().rss) / 1048576 };
}

if (MODE !== undefined) {
  const [kind, w] = MODE.split(':');
  const workers = Number(w ?? 1);
  const r = kind === 'es' ? await esOutput(workers) : kind === 'raw' ? await raw(workers) : kind === 'cpu' ? cpuOnly() : await nullOutput();
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server-child.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const url = ((await lines.next()).value as string).trim();
  const run = (mode: string): Result =>
    JSON.parse(execFileSync(process.execPath, [self], { env: { ...process.env, ES_BENCH_MODE: mode, ES_BENCH_URL: url }, encoding: 'utf8' })) as Result;
  const fmt = (r: Result) => `${Math.round(r.rate).toLocaleString('en-US')} docs/s (peak RSS ${r.rssMb.toFixed(1)} MB)`;
  try {
    console.log(`${N.toLocaleString('en-US')} events, bulk_max_size ${BATCH}, ES test server (count-only bulk) in its own process`);
    const nul = run('null');
    console.log(`reference: pipeline + null output        ${fmt(nul)}`);
    console.log(`reference: output CPU work only (make events, encode bulk, read response; no network) ${fmt(run('cpu'))}`);
    for (const w of [1, 2]) {
      const es = run(`es:${w}`);
      const base = run(`raw:${w}`);
      console.log(`worker ${w}: pipeline + elasticsearch output ${fmt(es)}`);
      console.log(`          baseline raw undici POST of pre-encoded bodies ${fmt(base)}  ratio ${(es.rate / base.rate).toFixed(2)}`);
    }
  } finally {
    child.stdin!.end();
    await once(child, 'exit');
  }
}
