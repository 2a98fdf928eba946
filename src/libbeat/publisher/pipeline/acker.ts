import type { Entry } from './entry.js';

type AckCallback = (privates: readonly unknown[], acked: number, dropped: number) => void;

/**
 * Acknowledges one client's events in publish order. Outputs finish events out of order (several workers, retries,
 * several outputs); the acker holds finished events until every earlier one is finished too, then reports the run
 * to the producer at once. Waiters (`publishSync`, `flush`) resolve when the acked watermark passes their seq.
 */
export class ClientAcker {
  readonly #onAck: AckCallback | undefined;
  /** Entries published and not yet reported, in seq order; `#head` indexes the oldest. */
  #window: (Entry | undefined)[] = [];
  #head = 0;
  #nextSeq = 0;
  /** Every seq below this is reported. */
  #ackedUpTo = 0;
  #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(onAck?: AckCallback) {
    this.#onAck = onAck;
  }

  get pending(): number {
    return this.#nextSeq - this.#ackedUpTo;
  }

  get published(): number {
    return this.#nextSeq;
  }

  /** Registers the next event; returns its seq. */
  add(entry: Entry): void {
    this.#window.push(entry);
    this.#nextSeq++;
  }

  nextSeq(): number {
    return this.#nextSeq;
  }

  /** Called once per entry, when its last output finished with it. */
  done(entry: Entry): void {
    if (entry.seq !== this.#ackedUpTo) return; // an earlier event is still out; it will sweep this one up
    const privates: unknown[] = [];
    let acked = 0;
    let dropped = 0;
    const w = this.#window;
    while (this.#head < w.length) {
      const e = w[this.#head]!;
      if (e.pending > 0) break;
      w[this.#head++] = undefined;
      privates.push(e.event.private);
      if (e.dropped) dropped++;
      else acked++;
    }
    this.#ackedUpTo += privates.length;
    if (this.#head > 1024 && this.#head * 2 > w.length) {
      this.#window = w.slice(this.#head);
      this.#head = 0;
    }
    if (privates.length > 0) this.#onAck?.(privates, acked, dropped);
    if (this.#waiters.length > 0) this.#wake();
  }

  /** Resolves when every event with seq < `seq` is reported. */
  waitFor(seq: number): Promise<void> {
    if (this.#ackedUpTo >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ seq, resolve });
    });
  }

  #wake(): void {
    const keep: { seq: number; resolve: () => void }[] = [];
    for (const w of this.#waiters) {
      if (this.#ackedUpTo >= w.seq) w.resolve();
      else keep.push(w);
    }
    this.#waiters = keep;
  }
}
