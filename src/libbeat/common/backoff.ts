/**
 * Exponential backoff with equal jitter (beats' WithBackoff): the n-th consecutive failure waits between half and
 * all of min(max, init * 2^n). `reset()` after a success. Waits are abortable so shutdown never hangs on them.
 */
export class Backoff {
  readonly #initMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(initMs: number, maxMs: number) {
    this.#initMs = Math.max(1, initMs);
    this.#maxMs = Math.max(this.#initMs, maxMs);
  }

  get failures(): number {
    return this.#failures;
  }

  /** The next delay in ms (and counts the failure). */
  next(): number {
    const exp = Math.min(this.#maxMs, this.#initMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return exp / 2 + Math.random() * (exp / 2);
  }

  reset(): void {
    this.#failures = 0;
  }

  /** Waits the next delay; resolves early (false) when the signal aborts. */
  wait(signal?: AbortSignal): Promise<boolean> {
    return sleep(this.next(), signal);
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
