import type { BeatEvent } from '../../common/event.js';
import type { Batch } from '../batch.js';
import { settle, type Entry } from './entry.js';

/** What a batch reports back to the output controller that made it. */
export interface BatchOwner {
  /** `entries` must be sent again, as attempt number `attempts`. */
  retry(entries: Entry[], attempts: number): void;
  /** Put back unprocessed, no attempt counted. */
  requeue(entries: Entry[], attempts: number): void;
  countAcked(n: number): void;
  countDropped(n: number): void;
}

export type BatchOutcome = 'pending' | 'acked' | 'dropped' | 'retry' | 'partial' | 'cancelled';

/** The pipeline's Batch: parallel arrays of events (what outputs see) and entries (the ack bookkeeping). */
export class PipelineBatch implements Batch {
  readonly events: BeatEvent[];
  readonly entries: Entry[];
  readonly attempts: number;
  readonly #owner: BatchOwner;
  #outcome: BatchOutcome = 'pending';

  constructor(entries: Entry[], attempts: number, owner: BatchOwner) {
    this.entries = entries;
    this.attempts = attempts;
    this.#owner = owner;
    const events = new Array<BeatEvent>(entries.length);
    for (let i = 0; i < entries.length; i++) events[i] = entries[i]!.event;
    this.events = events;
  }

  get outcome(): BatchOutcome {
    return this.#outcome;
  }

  #finish(outcome: BatchOutcome): boolean {
    if (this.#outcome !== 'pending') return false;
    this.#outcome = outcome;
    return true;
  }

  ack(): void {
    if (!this.#finish('acked')) return;
    for (const e of this.entries) settle(e, false);
    this.#owner.countAcked(this.entries.length);
  }

  drop(): void {
    if (!this.#finish('dropped')) return;
    for (const e of this.entries) settle(e, true);
    this.#owner.countDropped(this.entries.length);
  }

  retry(): void {
    if (!this.#finish('retry')) return;
    this.#owner.retry(this.entries, this.attempts + 1);
  }

  retryEvents(events: readonly BeatEvent[]): void {
    if (events.length === 0) return this.ack();
    if (!this.#finish('partial')) return;
    const again = new Set(events);
    const retry: Entry[] = [];
    let done = 0;
    for (const e of this.entries) {
      if (again.has(e.event)) retry.push(e);
      else {
        settle(e, false);
        done++;
      }
    }
    this.#owner.countAcked(done);
    this.#owner.retry(retry, this.attempts + 1);
  }

  cancelled(): void {
    if (!this.#finish('cancelled')) return;
    this.#owner.requeue(this.entries, this.attempts);
  }
}
