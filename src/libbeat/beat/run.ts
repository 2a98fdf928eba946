import type { BeatDefinition } from './beater.js';

// Placeholder: the runner (CLI flags, config, logging, pipeline, signals) lands with the libbeat core.
export async function runBeat(def: BeatDefinition, argv: string[]): Promise<number> {
  process.stderr.write(`${def.name}: runner not implemented yet (${argv.join(' ')})\n`);
  return 1;
}
