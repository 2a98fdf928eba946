import type { BeatDefinition } from '../../libbeat/beat/beater.js';

// Placeholder until Filebeat lands: runs until stopped and publishes nothing.
export const filebeatDefinition: BeatDefinition = {
  name: 'filebeat',
  description: 'Filebeat',
  create: () => {
    let stop: () => void = () => {};
    const done = new Promise<void>((resolve) => (stop = resolve));
    return { run: () => done, stop: () => stop() };
  },
};
