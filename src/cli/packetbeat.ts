import { runBeat } from '../libbeat/beat/run.js';
import { packetbeatDefinition } from '../beats/packetbeat/definition.js';

/** Entry point of `npx packetbeat` (bin/packetbeat.js). */
export function main(argv: string[]): void {
  void runBeat(packetbeatDefinition, argv);
}
