// Redis output throughput: events/s from a producer through the pipeline and the redis output (RPUSH, list) to the
// Redis at 127.0.0.1:6379, with RSS. Baseline in the same run: the same documents pre-encoded once and pushed with
// plain ioredis RPUSH calls of 2048 values, one after the other (no pipeline, no encoding).
// Run: node dist/bench/redis/redis.bench.js   (BENCH_EVENTS=… to change the count)
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { PublishPipeline } from '../../src/libbeat/publisher/pipeline/pipeline.js';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { createRedisOutput } from '../../src/libbeat/outputs/redis/index.js';
import { encodeEvent } from '../../src/libbeat/outputs/codec/json.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 300_000);
const BULK = 2048;
const HOST = process.env['REDIS_HOST'] ?? '127.0.0.1';
const PORT = Number(process.env['REDIS_PORT'] ?? 6379);
const BEAT = { beat: 'bench', version: '0', name: 'bench-host', hostname: 'bench-host' };

function makeEvent(i: number): BeatEvent {
  return {
    timestamp: new Date(),
    fields: { type: 'log', message: `GET /index.html 200 1234 "Mozilla/5.0" request ${i}`, offset: i * 40, source: '/var/log/app.log', input_type: 'log' },
    private: i,
  };
}

let cpuPerEvent = 0;

async function throughPipeline(key: string): Promise<number> {
  const out = await createRedisOutput(new ConfigNode({ host: HOST, port: PORT, key, bulk_max_size: BULK }, undefined, 'output.redis'), {
    beat: BEAT,
    log: nopLogger,
    metrics: new Registry(),
  });
  const pipeline = new PublishPipeline({
    beat: BEAT,
    outputs: new Map([['redis', { ...out, maxRetries: -1, flushIntervalMs: 0 }]]),
    log: nopLogger,
    metrics: new Registry(),
    queueSize: 8192,
  });
  pipeline.start();
  let acked = 0;
  const c = pipeline.connect({ guaranteed: true, onAck: (p) => void (acked += p.length) });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = c.publish(makeEvent(i));
    if (p) await p;
  }
  await c.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  cpuPerEvent = (cpu.user + cpu.system) / N;
  await pipeline.close(1000);
  if (acked !== N) throw new Error(`acked ${acked} of ${N}`);
  return N / secs;
}

async function baseline(r: Redis, key: string): Promise<number> {
  const chunks: string[][] = [];
  for (let start = 0; start < N; start += BULK) {
    const docs: string[] = [];
    for (let i = start; i < Math.min(N, start + BULK); i++) {
      const e = makeEvent(i);
      e.fields['beat'] = { name: BEAT.name, hostname: BEAT.hostname };
      e.fields['count'] = 1;
      docs.push(encodeEvent(e));
    }
    chunks.push(docs);
  }
  const t0 = process.hrtime.bigint();
  for (const docs of chunks) await r.rpush(key, ...docs);
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const rss = (): string => `${(process.memoryUsage().rss / 1048576).toFixed(1)} MB`;
const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} events/s`;

const admin = new Redis({ host: HOST, port: PORT, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
admin.on('error', () => {});
try {
  await admin.connect();
} catch (err) {
  console.log(`skipped: Redis not reachable at ${HOST}:${PORT} (${(err as Error).message})`);
  process.exit(0);
}
const k1 = `bench-redis-${randomUUID()}`;
const k2 = `bench-redis-${randomUUID()}`;
try {
  const pipe = await throughPipeline(k1);
  const cpuPer = cpuPerEvent;
  const r = rss();
  if ((await admin.llen(k1)) !== N) throw new Error('Redis list is short');
  await admin.del(k1);
  const base = await baseline(admin, k2);
  console.log(`${N} events, bulk_max_size ${BULK}: pipeline → redis list ${fmt(pipe)} (RSS ${r}, CPU ${cpuPer.toFixed(2)} µs/event)  baseline pre-encoded RPUSH ${fmt(base)}  ratio ${(pipe / base).toFixed(2)}`);
} finally {
  await admin.del(k1, k2);
  await admin.quit();
}
