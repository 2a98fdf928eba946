import type { BeatEvent } from '../../src/libbeat/common/event.js';
import type { Batch } from '../../src/libbeat/publisher/batch.js';
import type { OutputClient } from '../../src/libbeat/outputs/output.js';

/** What an in-memory client does with a batch; decided per batch. */
export type Behaviour = 'ack' | 'drop' | 'retry' | 'partial' | 'throw' | 'hang' | 'cancel';

export interface InMemoryClientOptions {
  name?: string;
  /** Picks the behaviour for each batch (default: always ack). */
  behaviour?: (batch: Batch, call: number) => Behaviour;
  /** Delay before answering, ms (default 0). */
  delayMs?: () => number;
  /** Fail connect() this many times first. */
  failConnects?: number;
}

/**
 * A test output client that keeps every delivered event (in delivery order) and can misbehave on demand: retry,
 * retry half the batch, drop, throw (connection failure), never answer, cancel. Used by the pipeline tests and
 * the output conformance suite.
 */
export class InMemoryClient implements OutputClient {
  readonly name: string;
  readonly delivered: BeatEvent[] = [];
  readonly dropped: BeatEvent[] = [];
  calls = 0;
  connects = 0;
  closes = 0;
  #failConnects: number;
  readonly #opts: InMemoryClientOptions;
  readonly #hung: (() => void)[] = [];

  constructor(opts: InMemoryClientOptions = {}) {
    this.name = opts.name ?? 'memory';
    this.#opts = opts;
    this.#failConnects = opts.failConnects ?? 0;
  }

  async connect(): Promise<void> {
    this.connects++;
    if (this.#failConnects > 0) {
      this.#failConnects--;
      throw new Error('connection refused (test)');
    }
  }

  async publish(batch: Batch): Promise<void> {
    const call = this.calls++;
    const b = this.#opts.behaviour?.(batch, call) ?? 'ack';
    const d = this.#opts.delayMs?.() ?? 0;
    if (d > 0) await new Promise((r) => setTimeout(r, d));
    switch (b) {
      case 'ack':
        this.delivered.push(...batch.events);
        return batch.ack();
      case 'drop':
        this.dropped.push(...batch.events);
        return batch.drop();
      case 'retry':
        return batch.retry();
      case 'cancel':
        return batch.cancelled();
      case 'partial': {
        const half = Math.floor(batch.events.length / 2);
        this.delivered.push(...batch.events.slice(0, half));
        return batch.retryEvents(batch.events.slice(half));
      }
      case 'throw':
        throw new Error('connection reset (test)');
      case 'hang':
        return new Promise<void>((resolve) => this.#hung.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.closes++;
  }
}

export function makeEvent(i: number, extra: Record<string, unknown> = {}): BeatEvent {
  return { timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, i % 1000)), fields: { type: 'test', n: i, ...extra }, private: i };
}
