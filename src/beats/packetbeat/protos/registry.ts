import type { ProtocolFactory } from './protocol.js';

/** Protocol plugins by name (`protocols.<name>` in the config). Filled explicitly by builtin.ts. */
export class ProtocolRegistry {
  readonly #factories = new Map<string, ProtocolFactory>();

  register(name: string, factory: ProtocolFactory): void {
    if (this.#factories.has(name)) throw new Error(`Protocol ${name} is registered twice.`);
    this.#factories.set(name, factory);
  }

  get(name: string): ProtocolFactory | undefined {
    return this.#factories.get(name);
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }
}
