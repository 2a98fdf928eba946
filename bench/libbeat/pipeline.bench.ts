// Pipeline throughput: events/s from a producer through the pipeline to a null output and to the file output,
// with RSS; each next to a baseline measured in the same run (the same events produced and, for the file case,
// JSON-encoded and written in 2048-line chunks with no pipeline at all). Run: npm run bench -- pipeline
import { mkdtempSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import type { OutputClient, OutputGroup } from '../../src/libbeat/outputs/output.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { PublishPipeline } from '../../src/libbeat/publisher/pipeline/pipeline.js';
import { encodeEvent } from '../../src/libbeat/outputs/codec/json.js';
import { createFileClient } from '../../src/libbeat/outputs/file/index.js';
import { FileRotator } from '../../src/libbeat/outputs/file/rotator.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const BEAT = { beat: 'bench', version: '0', name: 'bench-host', hostname: 'bench-host' };

function makeEvent(i: number): BeatEvent {
  return { timestamp: new Date(), fields: { type: 'log', message: 'GET /index.html 200 1234 "Mozilla/5.0"', offset: i * 40, source: '/var/log/app.log' }, private: i };
}

async function throughPipeline(client: OutputClient, batchSize: number): Promise<number> {
  const group: OutputGroup = { clients: [client], batchSize, maxRetries: -1, loadbalance: true, flushIntervalMs: 0 };
  const pipeline = new PublishPipeline({ beat: BEAT, outputs: new Map([['out', group]]), log: nopLogger, metrics: new Registry(), queueSize: 8192 });
  pipeline.start();
  let acked = 0;
  const c = pipeline.connect({ guaranteed: true, onAck: (p) => void (acked += p.length) });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = c.publish(makeEvent(i));
    if (p) await p;
  }
  await c.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await pipeline.close(1000);
  if (acked !== N) throw new Error(`acked ${acked} of ${N}`);
  return N / secs;
}

function baselineNull(): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < N; i++) sink += makeEvent(i).fields['offset'] as number;
  if (sink < 0) console.log(sink);
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function baselineFile(path: string): number {
  const fd = openSync(path, 'w');
  const t0 = process.hrtime.bigint();
  let chunk = '';
  for (let i = 0; i < N; i++) {
    const e = makeEvent(i);
    // The same document the pipeline writes: it adds beat.* and count.
    e.fields['beat'] = { name: BEAT.name, hostname: BEAT.hostname };
    e.fields['count'] = 1;
    chunk += encodeEvent(e) + '\n';
    if ((i & 2047) === 2047) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const mb = () => `${(process.memoryUsage().rss / 1048576).toFixed(1)} MB, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)}`;
const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} events/s`;

const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
try {
  const nullClient: OutputClient = { name: 'null', publish: async (b) => b.ack(), close: async () => {} };
  // Pipeline runs first so that the RSS printed after it is the pipeline's own.
  const pipe = await throughPipeline(nullClient, 2048);
  const rssNull = mb();
  const base = baselineNull();
  console.log(`null output:  pipeline ${fmt(pipe)} (RSS ${rssNull} MB)  baseline (produce only) ${fmt(base)}  ratio ${(pipe / base).toFixed(2)}`);
  const rot = new FileRotator({ dir, name: 'pipeline.ndjson', rotateEveryBytes: 1 << 30, numberOfFiles: 2 });
  const file = await throughPipeline(createFileClient(rot), 2048);
  const rssFile = mb();
  const baseF = baselineFile(join(dir, 'baseline.ndjson'));
  console.log(`file output:  pipeline ${fmt(file)} (RSS ${rssFile} MB)  baseline (encode + write, no pipeline) ${fmt(baseF)}  ratio ${(file / baseF).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
