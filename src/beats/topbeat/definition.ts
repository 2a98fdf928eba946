import type { BeatDefinition } from '../../libbeat/beat/beater.js';

// Placeholder until Topbeat lands: runs until stopped and publishes nothing.
export const topbeatDefinition: BeatDefinition = {
  name: 'topbeat',
  description: 'Topbeat',
  create: () => {
    let stop: () => void = () => {};
    const done = new Promise<void>((resolve) => (stop = resolve));
    return { run: () => done, stop: () => stop() };
  },
};
