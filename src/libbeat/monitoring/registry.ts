/**
 * Named internal counters and gauges with dotted names (`libbeat.es.published_and_acked_events`).
 * Components keep the returned objects and bump them on hot paths (a property increment, no lookup).
 * The registry is injected (Beat.metrics) rather than global, so tests get a fresh one.
 */
export interface Counter {
  readonly name: string;
  value: number;
  inc(n?: number): void;
}

export interface Gauge {
  readonly name: string;
  value: number;
  set(v: number): void;
}

export class Registry {
  readonly #counters = new Map<string, Counter>();
  readonly #gauges = new Map<string, Gauge>();

  counter(name: string): Counter {
    let c = this.#counters.get(name);
    if (!c) {
      const obj: Counter = { name, value: 0, inc: (n = 1) => void (obj.value += n) };
      c = obj;
      this.#counters.set(name, c);
    }
    return c;
  }

  gauge(name: string): Gauge {
    let g = this.#gauges.get(name);
    if (!g) {
      const obj: Gauge = { name, value: 0, set: (v) => void (obj.value = v) };
      g = obj;
      this.#gauges.set(name, g);
    }
    return g;
  }

  /** All values as a flat `{name: value}` object, sorted by name. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    const names = [...this.#counters.keys(), ...this.#gauges.keys()].sort();
    for (const n of names) out[n] = (this.#counters.get(n) ?? this.#gauges.get(n))!.value;
    return out;
  }

  /** Counter deltas since `prev` (a snapshot) that are non-zero, plus non-zero gauges; for the periodic log line. */
  nonZeroDelta(prev: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [n, c] of this.#counters) {
      const d = c.value - (prev[n] ?? 0);
      if (d !== 0) out[n] = d;
    }
    for (const [n, g] of this.#gauges) if (g.value !== 0) out[n] = g.value;
    return out;
  }
}
