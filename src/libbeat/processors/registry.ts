import type { ProcessorFactory } from './processor.js';

/** Processor plugins by name (`processors: - <name>:`). Filled explicitly by builtin.ts; no import side effects. */
export class ProcessorRegistry {
  readonly #factories = new Map<string, ProcessorFactory>();

  register(name: string, factory: ProcessorFactory): void {
    if (this.#factories.has(name)) throw new Error(`Processor ${name} is registered twice.`);
    this.#factories.set(name, factory);
  }

  get(name: string): ProcessorFactory | undefined {
    return this.#factories.get(name);
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }
}
