// Logstash output throughput: events/s from a producer through the pipeline and the lumberjack v2 client to a
// receiver running in a worker thread, with compression_level 0 and 3, and RSS. Baselines in the same run:
// CPU per event of the beat's process (the receiver runs in another) gives a load-independent figure.
// (a) raw socket: the same windows pre-encoded once, written to the same receiver, waiting for each ACK — the
// transport + receiver ceiling; (b) encode only: JSON + framing + zlib of the same events, no network.
// Run: node dist/bench/logstash/logstash.bench.js   (BENCH_EVENTS=… to change the count)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type Socket } from 'node:net';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import type { OutputClient, OutputGroup } from '../../src/libbeat/outputs/output.js';
import { nopLogger } from '../../src/libbeat/logp/logger.js';
import { Registry } from '../../src/libbeat/monitoring/registry.js';
import { PublishPipeline } from '../../src/libbeat/publisher/pipeline/pipeline.js';
import { encodeEvent } from '../../src/libbeat/outputs/codec/json.js';
import { createLogstashOutput } from '../../src/libbeat/outputs/logstash/index.js';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import { encodeCompressed, encodeJsonFrames, encodeWindow } from '../../src/libbeat/lumberjack/encoder.js';
import { FrameDecoder } from '../../src/libbeat/lumberjack/decoder.js';

let N = Number(process.env['BENCH_EVENTS'] ?? 400_000);
const BULK = 2048;
const BEAT = { beat: 'bench', version: '0', name: 'bench-host', hostname: 'bench-host' };

function makeEvent(i: number): BeatEvent {
  return {
    timestamp: new Date(),
    fields: { type: 'log', message: `GET /index.html 200 1234 "Mozilla/5.0" request ${i}`, offset: i * 40, source: '/var/log/app.log', input_type: 'log' },
    private: i,
  };
}

async function startSink(): Promise<{ port: number; count(): Promise<number>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./sink-worker.js', import.meta.url)), [], { stdio: 'inherit' });
  const first = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  return {
    port: first.port,
    count: () =>
      new Promise((r) => {
        child.once('message', (m) => r((m as { received: number }).received));
        child.send('count');
      }),
    close: async () => {
      child.send('close');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function throughPipeline(port: number, level: number): Promise<number> {
  // The output as a user configures it (defaults: pipelining 2, one worker).
  const out = await createLogstashOutput(
    new ConfigNode({ hosts: [`127.0.0.1:${port}`], compression_level: level, bulk_max_size: BULK, pipelining: Number(process.env['BENCH_PIPELINING'] ?? 2) }, undefined, 'output.logstash'),
    { beat: BEAT, log: nopLogger, metrics: new Registry() },
  );
  return runPipeline({ ...out, maxRetries: -1, flushIntervalMs: 0 });
}

/** The pipeline's own ceiling: the same events to an output that acknowledges at once. */
function nullPipeline(): Promise<number> {
  const client: OutputClient = { name: 'null', publish: async (b) => b.ack(), close: async () => {} };
  return runPipeline({ clients: [client], batchSize: BULK, maxRetries: -1, loadbalance: true, flushIntervalMs: 0 });
}

/** CPU time of this process (pipeline, output, zlib pool; the receiver is another process) per event, µs. */
let lastCpuPerEvent = 0;

async function runPipeline(group: OutputGroup): Promise<number> {
  const cpu0 = process.cpuUsage();
  const pipeline = new PublishPipeline({ beat: BEAT, outputs: new Map([['ls', group]]), log: nopLogger, metrics: new Registry(), queueSize: 8192 });
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
  const cpu = process.cpuUsage(cpu0);
  lastCpuPerEvent = (cpu.user + cpu.system) / N;
  await pipeline.close(1000);
  if (acked !== N) throw new Error(`acked ${acked} of ${N}`);
  return N / secs;
}

/** The documents the pipeline sends (it adds beat.* and count), windows of BULK, encoded once. */
function preEncode(level: number): Buffer[] {
  const out: Buffer[] = [];
  const meta = '"@metadata":{"beat":"bench","type":"log"}';
  for (let start = 0; start < N; start += BULK) {
    const n = Math.min(BULK, N - start);
    const docs: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = makeEvent(start + i);
      e.fields['beat'] = { name: BEAT.name, hostname: BEAT.hostname };
      e.fields['count'] = 1;
      docs.push(encodeEvent(e, meta));
    }
    const frames = encodeJsonFrames(docs);
    out.push(Buffer.concat([encodeWindow(n), level > 0 ? encodeCompressed(frames, level) : frames]));
  }
  return out;
}

/** Encoding alone: what the CPU spends per event on JSON, framing and zlib. */
function encodeOnly(level: number): number {
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (const w of preEncode(level)) bytes += w.length;
  if (bytes < 0) console.log(bytes);
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Pre-encoded windows over a plain socket, two windows in flight, as the client pipelines. */
async function rawSocket(port: number, windows: Buffer[]): Promise<number> {
  const sock: Socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true);
  const dec = new FrameDecoder({ accept: ['ack'] });
  let acks = 0;
  let wake: (() => void) | undefined;
  sock.on('data', (b: Buffer) => {
    acks += dec.push(b).length;
    wake?.();
  });
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (acks < windows.length) {
    while (sent < windows.length && sent - acks < 2) sock.write(windows[sent++]!);
    await new Promise<void>((r) => (wake = r));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  sock.destroy();
  return N / secs;
}

const rss = (): string => `${(process.memoryUsage().rss / 1048576).toFixed(1)} MB`;
const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} events/s`;

const sink = await startSink();
try {
  console.log(`${N} events, bulk_max_size ${BULK}, receiver in its own process (inflate + frame split + ACK, no JSON parse)`);
  // Warm-up (JIT, zlib pool, receiver) with a few events per setting, not measured.
  const measured = N;
  N = Math.min(30_000, N);
  await nullPipeline();
  for (const level of [3, 0]) await throughPipeline(sink.port, level);
  N = measured;
  const ceiling = await nullPipeline();
  console.log(`pipeline ceiling (same events, null output): ${fmt(ceiling)}, CPU ${lastCpuPerEvent.toFixed(2)} µs/event = ${fmt(1e6 / lastCpuPerEvent)} per core`);
  // Level 3 (the default, and the target's setting) first, so its RSS is not inflated by the other run's garbage.
  for (const level of [3, 0]) {
    const before = await sink.count();
    const pipe = await throughPipeline(sink.port, level);
    const cpuPer = lastCpuPerEvent;
    const r = rss();
    if ((await sink.count()) - before < N) throw new Error('receiver missed events');
    const windows = preEncode(level);
    const raw = await rawSocket(sink.port, windows);
    const enc = encodeOnly(level);
    console.log(
      `compression_level ${level}: pipeline ${fmt(pipe)} (RSS ${r}, CPU ${cpuPer.toFixed(2)} µs/event = ${fmt(1e6 / cpuPer)} per core)  baseline raw socket of pre-encoded windows ${fmt(raw)}` +
        ` (ratio ${(pipe / raw).toFixed(2)})  encode only ${fmt(enc)}  vs null-output pipeline ${(pipe / ceiling).toFixed(2)}`,
    );
  }
} finally {
  await sink.close();
}
