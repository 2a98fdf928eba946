/** Beats starts every connection with a window this small and earns the rest (`defaultStartMaxWindowSize`). */
export const START_WINDOW = 10;

/**
 * The adaptive sending window: how many events go out before the sender waits for their ACK. It starts small,
 * grows by half after every full window the receiver acknowledged in time (up to `bulk_max_size`), and halves
 * (down to 1) when an ACK does not come within `timeout`, so a congested Logstash gets smaller windows it can
 * acknowledge before the deadline. Pure state; the client drives it.
 */
export class AdaptiveWindow {
  #size: number;
  readonly max: number;
  /** Every size the window took, oldest first (for metrics and tests). */
  readonly history: number[];

  constructor(max: number, start = START_WINDOW) {
    this.max = Math.max(1, max);
    this.#size = Math.max(1, Math.min(start, this.max));
    this.history = [this.#size];
  }

  get size(): number {
    return this.#size;
  }

  /** A window of `sent` events was acknowledged in time; only a full window proves the receiver can take more. */
  grow(sent: number): void {
    if (sent < this.#size || this.#size >= this.max) return;
    this.#set(Math.min(this.max, Math.ceil(this.#size * 1.5)));
  }

  /** The receiver missed the ACK deadline. */
  shrink(): void {
    this.#set(Math.max(1, Math.floor(this.#size / 2)));
  }

  #set(n: number): void {
    if (n === this.#size) return;
    this.#size = n;
    this.history.push(n);
    if (this.history.length > 256) this.history.splice(0, this.history.length - 256);
  }
}
