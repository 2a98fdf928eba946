import { closeSync, fstatSync, openSync, read, statSync } from 'node:fs';
import { errorMessage } from '../../../libbeat/common/errors.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import type { PipelineClient } from '../../../libbeat/publisher/client.js';
import type { ProspectorConfig } from '../config.js';
import { advanceWithoutEvent, type AckMark, type FileState } from '../registrar/file-state.js';
import type { BufferPool } from './buffer-pool.js';
import type { Sleeper } from './sleeper.js';
import type { EventBuilder } from './event-builder.js';
import { LineSplitter } from './line-splitter.js';
import { MultilineAggregator, type Message } from './multiline.js';

/** What a harvester needs from its prospector. */
export interface HarvesterContext {
  cfg: ProspectorConfig;
  /** The prospector's event builder (one per prospector, not per file: 10,000 harvesters share it). */
  build: EventBuilder;
  client: PipelineClient;
  pool: BufferPool;
  log: Logger;
  /** `-once`: read to EOF and stop. */
  once: boolean;
  /** Stops every harvester of the beat. */
  signal: AbortSignal;
  /** Backoff waits, woken all at once on stop. */
  sleeper: Sleeper;
  /** Registry changed outside an ack (filtered lines, truncation). */
  markDirty(): void;
  /** Progress counters of the beat. */
  stats: { bytes: number; lines: number };
}

export type CloseReason = 'eof' | 'inactive' | 'removed' | 'renamed' | 'stopped' | 'error' | 'replaced';

/**
 * Reads one file from `state.readOffset`, splits it into lines, and publishes one event per line (or multiline
 * message), awaiting the pipeline when it is full so memory stays bounded. At EOF it polls with backoff
 * (`backoff` × `backoff_factor` up to `max_backoff`) and closes per `close_*`. It reads through its own file
 * descriptor, so a file renamed or deleted under it is still read to its end; a file that shrank (truncation,
 * copytruncate) is read again from 0. Each event's `private` is an AckMark; offsets only move on acks.
 */
export class Harvester {
  readonly state: FileState;
  readonly #ctx: HarvesterContext;
  readonly #build: EventBuilder;
  readonly #splitter: LineSplitter;
  readonly #multiline: MultilineAggregator | undefined;
  #fd = -1;
  #pos: number;
  #waits: Promise<void>[] = [];
  #now: Date | undefined;
  #published = 0;

  constructor(state: FileState, ctx: HarvesterContext) {
    this.state = state;
    this.#ctx = ctx;
    this.#build = ctx.build;
    const enc = ctx.cfg.encoding;
    this.#splitter = new LineSplitter({ newline: enc.newline, carriageReturn: enc.carriageReturn, maxBytes: ctx.cfg.maxBytes }, state.readOffset);
    this.#multiline = ctx.cfg.multiline ? new MultilineAggregator(ctx.cfg.multiline) : undefined;
    this.#pos = state.readOffset;
  }

  /** Runs until a close condition; resolves with the reason. Never rejects. */
  async run(): Promise<CloseReason> {
    const { state } = this;
    state.harvesting = true;
    let reason: CloseReason = 'error';
    try {
      // Metadata calls are synchronous on purpose: with thousands of files, queueing them on libuv's four
      // threads delayed the output's writes (and so acknowledgements) by seconds; a local fstat is ~1 µs.
      this.#fd = openSync(state.source, 'r');
      const st = fstatSync(this.#fd);
      if (st.ino !== state.inode || st.dev !== state.device) return (reason = 'replaced');
      reason = await this.#loop();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') reason = 'removed';
      else this.#ctx.log.error(`Harvester for ${state.source} failed: ${errorMessage(err)}.`);
    } finally {
      if (reason !== 'stopped' && reason !== 'error' && this.#fd >= 0) await this.#finish();
      if (this.#fd >= 0) closeSync(this.#fd);
      this.#fd = -1;
      state.harvesting = false;
      this.#ctx.log.debug(`Stopped harvesting ${state.source} (${reason}) at offset ${state.readOffset}.`);
    }
    return reason;
  }

  async #loop(): Promise<CloseReason> {
    const { cfg, signal } = this.#ctx;
    let backoff = cfg.backoffMs;
    let lastData = Date.now();
    let lastPathCheck = 0;
    let size = Infinity; // unknown: read first
    for (;;) {
      if (signal.aborted) return 'stopped';
      if (size > this.#pos) {
        if ((await this.#readToEof()) > 0) {
          backoff = cfg.backoffMs;
          lastData = Date.now();
        }
        if (signal.aborted) return 'stopped';
      }
      const now = Date.now();
      if (this.#multiline) this.#multiline.flushIfIdle(now, this.#emit);
      await this.#drain();
      if (this.#ctx.once || cfg.closeEof) return 'eof';
      // Idle polling costs one fstat; the path is checked at most once per scan_frequency (rename/removal).
      size = fstatSync(this.#fd).size;
      if (size < this.#pos) {
        this.#truncated(size);
        continue;
      }
      if (size > this.#pos) continue;
      if (now - lastPathCheck >= cfg.scanFrequencyMs && (cfg.closeRemoved || cfg.closeRenamed)) {
        lastPathCheck = now;
        const why = this.#pathGone();
        if (why === 'removed' && cfg.closeRemoved) return 'removed';
        if (why === 'renamed' && cfg.closeRenamed) return 'renamed';
      }
      if (cfg.closeInactiveMs > 0 && now - lastData >= cfg.closeInactiveMs) return 'inactive';
      let wait = backoff;
      if (this.#multiline?.pending) wait = Math.min(wait, cfg.multiline!.timeoutMs);
      await this.#ctx.sleeper.sleep(wait);
      backoff = Math.min(cfg.maxBackoffMs, backoff * cfg.backoffFactor);
    }
  }

  /** Reads and publishes until EOF; returns the bytes read. Holds a pool buffer only while reading. */
  async #readToEof(): Promise<number> {
    const pool = this.#ctx.pool;
    const got = pool.acquire();
    const buf = got instanceof Promise ? await got : got;
    let total = 0;
    try {
      for (;;) {
        if (this.#ctx.signal.aborted) break;
        const bytesRead = await readAt(this.#fd, buf, this.#pos);
        if (bytesRead === 0) break;
        let start = 0;
        if (this.#pos === 0) start = this.#skipBom(buf, bytesRead);
        this.#pos += bytesRead;
        total += bytesRead;
        this.#now = new Date();
        this.#ctx.stats.bytes += bytesRead;
        // The splitter pauses when the pipeline is full; wait for room, then go on with the same buffer.
        while ((start = this.#splitter.push(buf, start, bytesRead, this.#onLine)) >= 0) await this.#drain();
        if (this.#waits.length > 0) await this.#drain();
      }
    } finally {
      pool.release(buf);
    }
    return total;
  }

  #skipBom(buf: Buffer, n: number): number {
    const bom = this.#ctx.cfg.encoding.bom;
    if (!bom || n < bom.length || buf.compare(bom, 0, bom.length, 0, bom.length) !== 0) return 0;
    this.#splitter.reset(bom.length);
    return bom.length;
  }

  readonly #onLine = (buf: Buffer, start: number, end: number, offset: number, next: number, truncated: boolean): boolean => {
    const text = this.#ctx.cfg.encoding.decode(buf, start, end);
    const m: Message = { text, offset, end: next, lines: 1, truncated };
    if (this.#multiline) this.#multiline.push(m, Date.now(), this.#emit);
    else this.#emit(m);
    return this.#waits.length === 0;
  };

  readonly #emit = (m: Message): void => {
    const { state } = this;
    this.#ctx.stats.lines++;
    const fields = this.#build(m, state.source);
    if (fields === null) {
      if (advanceWithoutEvent(state, m.end, Date.now())) this.#ctx.markDirty();
      return;
    }
    if (m.truncated) fields['log'] = { flags: ['truncated'] };
    state.inflight++;
    state.skipTo = -1;
    state.readOffset = m.end;
    this.#published++;
    const mark: AckMark = { state, end: m.end };
    const p = this.#ctx.client.publish({ timestamp: this.#now ?? new Date(), fields, private: mark });
    if (p) this.#waits.push(p);
  };

  async #drain(): Promise<void> {
    while (this.#waits.length > 0) {
      const w = this.#waits;
      this.#waits = [];
      await Promise.all(w);
    }
  }

  #truncated(size: number): void {
    this.#ctx.log.info(`File ${this.state.source} was truncated (size ${size} < offset ${this.#pos}); reading it again from the start.`);
    this.#pos = 0;
    this.#splitter.reset(0);
    if (advanceWithoutEvent(this.state, 0, Date.now())) this.#ctx.markDirty();
  }

  /** Whether the harvested path still names this file. */
  #pathGone(): 'removed' | 'renamed' | undefined {
    try {
      const st = statSync(this.state.source);
      return st.ino === this.state.inode && st.dev === this.state.device ? undefined : 'renamed';
    } catch {
      return 'removed';
    }
  }

  /** Close after a close condition: send a pending multiline message; a partial line stays for the next harvester. */
  async #finish(): Promise<void> {
    this.#multiline?.flush(this.#emit);
    await this.#drain();
    this.state.readOffset = this.#splitter.pendingOffset;
  }

  /** Events published by this harvester. */
  get published(): number {
    return this.#published;
  }
}

/** pread(2) through libuv, as a promise (the callback API avoids FileHandle's per-call overhead). */
function readAt(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}
