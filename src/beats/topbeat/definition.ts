import type { BeatDefinition } from '../../libbeat/beat/beater.js';
import { Topbeat } from './beater.js';
import { parseTopbeatConfig } from './config.js';

/** Topbeat: system load, CPU, memory, per-process and filesystem metrics, shipped every `input.period`. */
export const topbeatDefinition: BeatDefinition = {
  name: 'topbeat',
  description: 'Topbeat: periodic system, process and filesystem metrics (async: drops when the queue is full)',
  create: (beat) => new Topbeat(beat, parseTopbeatConfig(beat.config)),
};
