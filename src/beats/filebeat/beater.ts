import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { sleep } from '../../libbeat/common/backoff.js';
import type { Beat, Beater } from '../../libbeat/beat/beater.js';
import type { PipelineClient } from '../../libbeat/publisher/client.js';
import type { FilebeatConfig } from './config.js';
import { BufferPool } from './harvester/buffer-pool.js';
import { Sleeper } from './harvester/sleeper.js';
import type { Harvester } from './harvester/harvester.js';
import { readStdin } from './input/stdin.js';
import { Prospector, type CrawlerContext } from './prospector/prospector.js';
import { Registrar } from './registrar/registrar.js';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** Read buffers per prospector (see BufferPool). */
const READERS_PER_PROSPECTOR = 16;
/**
 * Smallest read. Each read is a round trip to libuv's thread pool; at Beats' 16 KiB default that round trip cost
 * 10x more CPU than the copy (110 MB: 790 ms at 16 KiB, 85 ms at 64 KiB, 37 ms at 256 KiB), so reads are at least
 * this large and harvester_buffer_size only raises it.
 */
const MIN_READ_BYTES = 64 * 1024;

/**
 * Filebeat's main loop: loads the registry, connects one guaranteed pipeline client whose acks feed the registrar,
 * runs the prospectors (and stdin inputs), and on stop waits up to `shutdown_timeout` for outstanding
 * acknowledgements before the last registry write. With `-once` every file is read to its end, everything is
 * awaited, the registry is saved and run() returns.
 */
export class Filebeat implements Beater {
  readonly #beat: Beat;
  readonly #cfg: FilebeatConfig;
  readonly #once: boolean;
  readonly #abort = new AbortController();
  readonly #sleeper = new Sleeper();
  readonly #stopped: Promise<void>;
  #resolveStopped: () => void = () => {};
  readonly registrar: Registrar;

  constructor(beat: Beat, cfg: FilebeatConfig, once: boolean) {
    this.#beat = beat;
    this.#cfg = cfg;
    this.#once = once;
    this.registrar = new Registrar(cfg.registryFile, beat.log.child('registrar'), cfg.registryFlushMs);
    this.#stopped = new Promise((r) => (this.#resolveStopped = r));
    // Every waiting harvester listens for the stop signal.
    setMaxListeners(0, this.#abort.signal);
  }

  async run(): Promise<void> {
    const { log, pipeline } = this.#beat;
    const registrar = this.registrar;
    registrar.load(this.#cfg.lsfStateFile);
    const client = pipeline.connect({ guaranteed: true, onAck: registrar.onAck });
    const stats = { bytes: 0, lines: 0 };
    const active = new Map<string, Harvester>();
    const ctx: CrawlerContext = {
      client,
      log: log.child('harvester'),
      once: this.#once,
      signal: this.#abort.signal,
      sleeper: this.#sleeper,
      markDirty: () => registrar.markDirty(),
      stats,
      registrar,
      active,
    };
    const logInputs = this.#cfg.prospectors.filter((p) => p.inputType === 'log');
    const stdinInputs = this.#cfg.prospectors.filter((p) => p.inputType === 'stdin');
    const prospectors = logInputs.map((p) => new Prospector(p, ctx, new BufferPool(Math.max(p.bufferSize, MIN_READ_BYTES), READERS_PER_PROSPECTOR)));
    log.info(`Filebeat started: ${prospectors.length} log prospector(s), ${stdinInputs.length} stdin input(s), registry ${registrar.file}.`);
    const stopProgress = this.#once && process.stderr.isTTY ? showProgress(stats, active) : undefined;
    const runs = prospectors.map((p) => p.run());
    const stdin = stdinInputs.map((p) => readStdin(process.stdin, p, client, this.#abort.signal, stats));
    void this.#cleanUnmatched(prospectors);
    try {
      if (prospectors.length === 0) await Promise.race([Promise.all(stdin), this.#stopped]);
      await Promise.all(runs);
      await Promise.race([Promise.all(stdin), this.#stopped]);
      await this.#waitForAcks(client);
    } finally {
      stopProgress?.();
      registrar.close();
      await registrar.flush();
      client.close();
      log.info(`Filebeat done: ${stats.lines} lines, ${stats.bytes} bytes read; registry written ${registrar.writes} time(s).`);
    }
  }

  stop(): void {
    this.#abort.abort();
    this.#sleeper.stop();
    this.#resolveStopped();
  }

  /** With -once: until everything is acknowledged (or stop). On stop: at most shutdown_timeout. */
  async #waitForAcks(client: PipelineClient): Promise<void> {
    const timeout = this.#beat.config.durationMs('shutdown_timeout', DEFAULT_SHUTDOWN_TIMEOUT_MS, { min: 0 });
    if (this.#once && !this.#abort.signal.aborted) {
      await Promise.race([client.flush(), this.#stopped]);
      if (!this.#abort.signal.aborted) return;
    }
    if (client.pending === 0) return;
    this.#beat.log.info(`Waiting up to ${timeout / 1000}s for ${client.pending} events to be acknowledged.`);
    const timer = new AbortController();
    await Promise.race([client.flush(), sleep(timeout, timer.signal)]);
    timer.abort();
  }

  /**
   * After the first scan: registry entries no prospector matched whose file no longer exists are dropped (the
   * 1.0 registry grew forever). Entries of files that exist but are not matched are kept.
   */
  async #cleanUnmatched(prospectors: Prospector[]): Promise<void> {
    await Promise.race([Promise.all(prospectors.map((p) => p.firstScanDone)), this.#stopped]);
    if (this.#abort.signal.aborted) return;
    if (!prospectors.every((p) => p.cfg.cleanRemoved)) return;
    const stale: [string, string, number, number][] = [];
    for (const [key, s] of this.registrar.states()) if (s.owner === undefined && !s.harvesting) stale.push([key, s.source, s.device, s.inode]);
    for (const [key, source, dev, ino] of stale) {
      const st = await stat(source).catch(() => undefined);
      if (!st || st.dev !== dev || st.ino !== ino) {
        const s = this.registrar.get(key);
        if (s && s.owner === undefined) this.registrar.remove(key);
      }
    }
  }
}

function showProgress(stats: { bytes: number; lines: number }, active: Map<string, Harvester>): () => void {
  let prevLines = 0;
  let prevAt = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const rate = ((stats.lines - prevLines) * 1000) / Math.max(1, now - prevAt);
    prevLines = stats.lines;
    prevAt = now;
    process.stderr.write(`\rfilebeat: ${active.size} files open, ${(stats.bytes / 1048576).toFixed(1)} MB, ${stats.lines} lines, ${Math.round(rate)} lines/s   `);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\n');
  };
}
