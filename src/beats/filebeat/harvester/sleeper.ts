/**
 * Abortable sleeps for thousands of waiters. An AbortSignal listener per sleeping harvester made every
 * addEventListener scan all the others (33% of CPU with 10,000 files); here a sleep costs a timer and a Set entry,
 * and stop() wakes them all.
 */
export class Sleeper {
  readonly #pending = new Set<() => void>();
  #stopped = false;
  #resolveStop: () => void = () => {};
  /** Resolves on stop(): waits that must not outlive the beat (a publish blocked by a dead output) race it. */
  readonly whenStopped = new Promise<void>((r) => (this.#resolveStop = r));

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves after `ms`, or at once when stopped. */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#pending.add(wake);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#resolveStop();
    for (const wake of [...this.#pending]) wake();
  }
}
