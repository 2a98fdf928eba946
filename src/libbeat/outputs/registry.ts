import type { OutputFactory } from './output.js';

/** Output plugins by name (`output.<name>` in the config). Filled explicitly by builtin.ts; no import side effects. */
export class OutputRegistry {
  readonly #factories = new Map<string, OutputFactory>();

  register(name: string, factory: OutputFactory): void {
    if (this.#factories.has(name)) throw new Error(`Output ${name} is registered twice.`);
    this.#factories.set(name, factory);
  }

  get(name: string): OutputFactory | undefined {
    return this.#factories.get(name);
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }
}
