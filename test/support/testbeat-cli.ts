import { runBeat } from '../../src/libbeat/beat/run.js';
import { testbeatDefinition } from './testbeat.js';

void runBeat(testbeatDefinition, process.argv.slice(2));
