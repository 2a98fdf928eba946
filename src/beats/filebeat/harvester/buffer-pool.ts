/**
 * Read buffers shared by the harvesters of a prospector. A harvester holds one only while it reads (from the
 * first read after new data to EOF), so 10,000 idle tailed files cost no buffer memory and at most `max`
 * buffers exist at once. Waiters are served in FIFO order.
 */
export class BufferPool {
  readonly #size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];
  readonly #waiters: ((b: Buffer) => void)[] = [];
  #created = 0;

  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = Math.max(1, max);
  }

  /** A buffer at once when one is free, else a promise of the next released one. */
  acquire(): Buffer | Promise<Buffer> {
    const b = this.#free.pop();
    if (b) return b;
    if (this.#created < this.#max) {
      this.#created++;
      return Buffer.allocUnsafeSlow(this.#size);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(b: Buffer): void {
    const w = this.#waiters.shift();
    if (w) w(b);
    else this.#free.push(b);
  }
}
