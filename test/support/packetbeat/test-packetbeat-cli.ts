import { runBeat } from '../../../src/libbeat/beat/run.js';
import type { BeatDefinition } from '../../../src/libbeat/beat/beater.js';
import { packetbeatDefinition } from '../../../src/beats/packetbeat/definition.js';
import { PacketbeatBeater } from '../../../src/beats/packetbeat/beater.js';
import { testProtocols } from './test-protocols.js';

/**
 * `packetbeat` with the engine test protocols (`line`, `streams`, `datagrams`) instead of the builtin ones: the
 * real CLI, runner, beater and outputs, so engine integration tests do not depend on the protocol parsers.
 */
const def: BeatDefinition = { ...packetbeatDefinition, create: (beat) => new PacketbeatBeater(beat, testProtocols()) };
void runBeat(def, process.argv.slice(2));
