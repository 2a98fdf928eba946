import type { BeatDefinition } from '../../libbeat/beat/beater.js';

// Placeholder until Packetbeat lands: runs until stopped and publishes nothing.
export const packetbeatDefinition: BeatDefinition = {
  name: 'packetbeat',
  description: 'Packetbeat',
  create: () => {
    let stop: () => void = () => {};
    const done = new Promise<void>((resolve) => (stop = resolve));
    return { run: () => done, stop: () => stop() };
  },
};
