import type { Logger } from '../../logp/logger.js';
import type { Counter, Gauge, Registry } from '../../monitoring/registry.js';
import type { OutputGroup } from '../../outputs/output.js';
import { RingBuffer } from '../queue/ring-buffer.js';
import { settle, type Entry } from './entry.js';
import { PipelineBatch, type BatchOwner } from './pipeline-batch.js';
import { runWorker } from './worker.js';

const STOP_GRACE_MS = 1000;

export interface ControllerOptions {
  name: string;
  group: OutputGroup;
  /** Events the queue holds at most (the memory bound, besides batches in flight). */
  queueSize: number;
  log: Logger;
  metrics: Registry;
  /** Called when events left the queue, so blocked producers can continue. */
  onSpace: () => void;
}

/**
 * One configured output: its bounded queue, its retry queue and its workers. Workers pull batches with
 * `nextBatch()`; batches come back through the BatchOwner methods. Batches waiting for a retry go before new events.
 */
export class OutputController implements BatchOwner {
  readonly name: string;
  readonly group: OutputGroup;
  readonly log: Logger;
  readonly #queue: RingBuffer<Entry>;
  readonly #retryQueue: PipelineBatch[] = [];
  readonly #onSpace: () => void;
  #dataWaiters: (() => void)[] = [];
  #firstWaitingAt = 0;
  #inFlight = 0;
  #draining = false;
  readonly #abort = new AbortController();
  #workers: Promise<void>[] = [];
  readonly #acked: Counter;
  readonly #dropped: Counter;
  readonly #retried: Counter;
  readonly #batches: Counter;
  readonly #depth: Gauge;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.group = opts.group;
    this.log = opts.log;
    this.#queue = new RingBuffer<Entry>(Math.max(opts.queueSize, 1));
    this.#onSpace = opts.onSpace;
    const m = opts.metrics;
    const p = `libbeat.output.${opts.name}`;
    this.#acked = m.counter(`${p}.events.acked`);
    this.#dropped = m.counter(`${p}.events.dropped`);
    this.#retried = m.counter(`${p}.events.retried`);
    this.#batches = m.counter(`${p}.batches`);
    this.#depth = m.gauge(`${p}.queue.depth`);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get free(): number {
    return this.#queue.free;
  }

  /** Nothing queued, waiting for a retry, or in flight. */
  get idle(): boolean {
    return this.#queue.size === 0 && this.#retryQueue.length === 0 && this.#inFlight === 0;
  }

  /** Caller checked `free > 0`. */
  push(entry: Entry): void {
    this.#queue.push(entry);
    const size = this.#queue.size;
    if (size === 1) this.#firstWaitingAt = Date.now();
    if (this.#dataWaiters.length > 0 && (size === 1 || size >= this.group.batchSize)) this.#wake();
  }

  start(): void {
    const { clients, loadbalance } = this.group;
    if (loadbalance) this.#workers = clients.map((c) => runWorker(this, [c]));
    else this.#workers = [runWorker(this, clients)];
  }

  /** From now on partial batches go out at once (shutdown). */
  drain(): void {
    this.#draining = true;
    this.#wake();
  }

  /** Stops the workers (after drain, or at the shutdown timeout) and closes the clients. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake();
    // Closing the clients fails any publish still in flight; a client that ignores that cannot hold shutdown.
    await Promise.all(this.group.clients.map((c) => c.close().catch(() => {})));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)));
    await Promise.race([Promise.all(this.#workers), grace]);
    clearTimeout(timer);
  }

  /** The next batch for a worker; null once stopped. */
  async nextBatch(): Promise<PipelineBatch | null> {
    const { batchSize, flushIntervalMs } = this.group;
    for (;;) {
      if (this.#abort.signal.aborted) return null;
      const retry = this.#retryQueue.shift();
      if (retry) return this.#startBatch(retry);
      const n = this.#queue.size;
      let waitMs: number | undefined;
      if (n > 0) {
        const age = Date.now() - this.#firstWaitingAt;
        if (n >= batchSize || flushIntervalMs <= 0 || this.#draining || age >= flushIntervalMs) {
          return this.#startBatch(this.#take(batchSize));
        }
        waitMs = flushIntervalMs - age;
      }
      await this.#waitData(waitMs);
    }
  }

  /** A worker finished with a batch (whatever its outcome). */
  batchDone(): void {
    this.#inFlight--;
  }

  retry(entries: Entry[], attempts: number): void {
    const max = this.group.maxRetries;
    let keep = entries;
    if (max >= 0 && attempts > max) {
      keep = [];
      let dropped = 0;
      for (const e of entries) {
        if (e.guaranteed) keep.push(e);
        else {
          settle(e, true);
          dropped++;
        }
      }
      if (dropped > 0) {
        this.#dropped.inc(dropped);
        this.log.error(`Dropped ${dropped} events after ${attempts} attempts to ${this.name}.`);
      }
    }
    if (keep.length === 0) return;
    this.#retried.inc(keep.length);
    this.#retryQueue.push(new PipelineBatch(keep, attempts, this));
    this.#wake();
  }

  requeue(entries: Entry[], attempts: number): void {
    this.#retryQueue.unshift(new PipelineBatch(entries, attempts, this));
    this.#wake();
  }

  countAcked(n: number): void {
    this.#acked.inc(n);
  }

  countDropped(n: number): void {
    this.#dropped.inc(n);
  }

  #startBatch(batch: PipelineBatch): PipelineBatch {
    this.#inFlight++;
    this.#batches.inc();
    return batch;
  }

  #take(max: number): PipelineBatch {
    const entries = this.#queue.take(max);
    if (this.#queue.size > 0) this.#firstWaitingAt = Date.now();
    this.#depth.set(this.#queue.size);
    this.#onSpace();
    return new PipelineBatch(entries, 0, this);
  }

  #waitData(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(() => this.#wake(), Math.max(1, timeoutMs));
      this.#dataWaiters.push(done);
    });
  }

  #wake(): void {
    const w = this.#dataWaiters;
    this.#dataWaiters = [];
    for (const f of w) f();
  }
}
