import type { BeatEvent } from '../../common/event.js';
import type { BeatInfo } from '../../beat/info.js';
import type { Logger } from '../../logp/logger.js';
import type { Counter, Registry } from '../../monitoring/registry.js';
import type { OutputGroup } from '../../outputs/output.js';
import type { ClientOptions, Pipeline, PipelineClient } from '../client.js';
import { ClientAcker } from './acker.js';
import type { Entry } from './entry.js';
import { OutputController } from './output-controller.js';
import { createClient } from './client.js';

export const DEFAULT_QUEUE_SIZE = 4096;

/** Runs the global processors on one event; null drops it. */
export type EventProcessor = (event: BeatEvent) => BeatEvent | null;

export interface PipelineOptions {
  beat: BeatInfo;
  /** Configured outputs by name; empty = publishing disabled (`-N`): events are acknowledged at once. */
  outputs: ReadonlyMap<string, OutputGroup>;
  /** Events each output's queue holds at most; raised to 2 x batch size x clients when smaller. */
  queueSize?: number;
  /** `shipper.tags`: appended to every event's `tags`. */
  tags?: readonly string[];
  /** Global `fields` (5.x) added under `fields`, or at the root with `fieldsUnderRoot`. */
  fields?: Record<string, unknown>;
  fieldsUnderRoot?: boolean;
  processor?: EventProcessor;
  log: Logger;
  metrics: Registry;
}

/**
 * The publishing pipeline: producers (beats) → normalization and processors → one bounded queue per output →
 * batches → output workers → acknowledgements back to producers in publish order.
 *
 * Memory is bounded by the queues (queueSize events per output) plus the batches in flight; when a queue is full,
 * `publish` returns a promise that resolves when there is room (or drops, for `dropOnFull` clients).
 */
export class PublishPipeline implements Pipeline {
  readonly #opts: PipelineOptions;
  readonly #controllers: OutputController[] = [];
  readonly #blocked: { entry: Entry; resolve: () => void }[] = [];
  readonly #published: Counter;
  readonly #filtered: Counter;
  readonly #droppedFull: Counter;
  readonly #log: Logger;
  #closed = false;

  constructor(opts: PipelineOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#published = opts.metrics.counter('libbeat.pipeline.events.published');
    this.#filtered = opts.metrics.counter('libbeat.pipeline.events.filtered');
    this.#droppedFull = opts.metrics.counter('libbeat.pipeline.events.dropped_queue_full');
    for (const [name, group] of opts.outputs) {
      const minQueue = 2 * group.batchSize * Math.max(1, group.clients.length);
      this.#controllers.push(
        new OutputController({
          name,
          group,
          queueSize: Math.max(opts.queueSize ?? DEFAULT_QUEUE_SIZE, minQueue),
          log: opts.log.child(name),
          metrics: opts.metrics,
          onSpace: () => this.#release(),
        }),
      );
    }
  }

  get outputCount(): number {
    return this.#controllers.length;
  }

  /** Starts the output workers. */
  start(): void {
    for (const c of this.#controllers) c.start();
  }

  connect(opts: ClientOptions = {}): PipelineClient {
    return createClient(this, new ClientAcker(opts.onAck), opts);
  }

  /** Adds `beat`, `count`, `tags` and global fields, then runs the processors. Internal: used by clients. */
  prepare(event: BeatEvent): BeatEvent | null {
    const o = this.#opts;
    const f = event.fields;
    f['beat'] = { name: o.beat.name, hostname: o.beat.hostname };
    if (f['count'] === undefined) f['count'] = 1;
    if (o.tags && o.tags.length > 0) {
      const t = f['tags'];
      f['tags'] = Array.isArray(t) ? [...(t as unknown[]), ...o.tags] : [...o.tags];
    }
    if (o.fields) {
      if (o.fieldsUnderRoot) Object.assign(f, o.fields);
      else f['fields'] = { ...o.fields, ...((f['fields'] as object | undefined) ?? {}) };
    }
    if (!o.processor) return event;
    const out = o.processor(event);
    if (out === null) this.#filtered.inc();
    return out;
  }

  /** Queues an entry on every output. Internal: used by clients. */
  enqueue(entry: Entry, dropOnFull: boolean): Promise<void> | undefined {
    if (this.#closed) throw new Error('The pipeline is closed.');
    if (this.#blocked.length === 0 && this.#hasSpace()) {
      this.#pushAll(entry);
      return undefined;
    }
    if (dropOnFull) {
      this.#droppedFull.inc();
      entry.dropped = true;
      entry.pending = 0;
      entry.acker.done(entry);
      return undefined;
    }
    return new Promise((resolve) => this.#blocked.push({ entry, resolve }));
  }

  /**
   * Stops accepting events, sends what is queued (partial batches at once) and waits until every output is idle,
   * at most `timeoutMs`; then stops the workers and closes the output clients. Resolves true when everything was
   * delivered or dropped, false on timeout (undelivered events are then lost to this process; Filebeat re-reads
   * them after a restart because its registry only holds acknowledged offsets).
   */
  async close(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (const c of this.#controllers) c.drain();
    let clean = true;
    while (!this.#controllers.every((c) => c.idle) || this.#blocked.length > 0) {
      if (Date.now() >= deadline) {
        clean = false;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    this.#closed = true;
    if (!clean) this.#log.warn(`Shutdown timeout of ${timeoutMs} ms reached with events not yet acknowledged.`);
    await Promise.all(this.#controllers.map((c) => c.stop()));
    return clean;
  }

  #hasSpace(): boolean {
    for (const c of this.#controllers) if (c.free === 0) return false;
    return true;
  }

  #pushAll(entry: Entry): void {
    const cs = this.#controllers;
    entry.pending = cs.length;
    this.#published.inc();
    if (cs.length === 0) {
      entry.acker.done(entry);
      return;
    }
    for (const c of cs) c.push(entry);
  }

  #release(): void {
    while (this.#blocked.length > 0 && this.#hasSpace()) {
      const b = this.#blocked.shift()!;
      this.#pushAll(b.entry);
      b.resolve();
    }
  }
}
