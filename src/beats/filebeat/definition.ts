import type { BeatDefinition } from '../../libbeat/beat/beater.js';
import { Filebeat } from './beater.js';
import { parseFilebeatConfig } from './config.js';
import { convertLsfCommand } from './lsf/convert.js';

/**
 * Filebeat: tails log files (and stdin) and ships every line at least once. Flags: `-once` (read every file to its
 * end, wait for every acknowledgement, save the registry, exit) and `-convert-lsf FILE` (print the Filebeat YAML
 * equivalent of a Logstash Forwarder JSON config and exit).
 */
export const filebeatDefinition: BeatDefinition = {
  name: 'filebeat',
  description: 'Filebeat',
  flags: [
    { name: 'once', type: 'boolean', description: 'Read every matching file to its end, wait until all is acknowledged, save the registry and exit' },
    { name: 'convert-lsf', type: 'string', description: 'Print the filebeat.yml equivalent of a Logstash Forwarder JSON config file and exit' },
  ],
  create(beat) {
    const lsf = beat.flags['convert-lsf'];
    if (typeof lsf === 'string') return convertLsfCommand(lsf);
    return new Filebeat(beat, parseFilebeatConfig(beat.config), beat.flags['once'] === true);
  },
};
