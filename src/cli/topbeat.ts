import { runBeat } from '../libbeat/beat/run.js';
import { topbeatDefinition } from '../beats/topbeat/definition.js';

/** Entry point of `npx topbeat` (bin/topbeat.js). */
export function main(argv: string[]): void {
  void runBeat(topbeatDefinition, argv);
}
