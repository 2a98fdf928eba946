import type { BeatDefinition } from '../../src/libbeat/beat/beater.js';

/**
 * A minimal beat for testing libbeat end to end: publishes `testbeat.count` events (guaranteed, awaiting queue
 * space), waits for their acknowledgement, prints `acked N` on stdout and, with `testbeat.wait_stop: true`, keeps
 * running until stopped. This is also the smallest example of the beat API.
 */
export const testbeatDefinition: BeatDefinition = {
  name: 'testbeat',
  description: 'libbeat test beat',
  create(beat) {
    const cfg = beat.config.child('testbeat');
    const count = cfg.int('count', 10, { min: 0 });
    const waitStop = cfg.bool('wait_stop', false);
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => (stop = r));
    let stopping = false;
    return {
      async run() {
        let acked = 0;
        const client = beat.pipeline.connect({ guaranteed: true, onAck: (_p, a) => void (acked += a) });
        for (let i = 0; i < count && !stopping; i++) {
          const p = client.publish({ timestamp: new Date(), fields: { type: 'test', n: i, message: `event ${i}` } });
          if (p) await p;
        }
        await Promise.race([client.flush(), stopped]);
        process.stdout.write(`acked ${acked}\n`);
        if (waitStop) await stopped;
      },
      stop() {
        stopping = true;
        stop();
      },
    };
  },
};
