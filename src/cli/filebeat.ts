import { runBeat } from '../libbeat/beat/run.js';
import { filebeatDefinition } from '../beats/filebeat/definition.js';

/** Entry point of `npx filebeat` (bin/filebeat.js). */
export function main(argv: string[]): void {
  void runBeat(filebeatDefinition, argv);
}
