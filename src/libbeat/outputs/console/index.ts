import type { Writable } from 'node:stream';
import type { Batch } from '../../publisher/batch.js';
import type { OutputClient, OutputFactory } from '../output.js';
import { encodeEvent, encodeEventPretty } from '../codec/json.js';

const DEFAULT_BULK_MAX_SIZE = 2048;

/**
 * `output.console`: one JSON document per event on stdout (`pretty: true` indents it). A batch is acknowledged
 * once stdout accepted the write, so a slow reader of stdout slows the beat down instead of growing memory.
 */
export const createConsoleOutput: OutputFactory = (cfg) => {
  const pretty = cfg.bool('pretty', false);
  const batchSize = cfg.int('bulk_max_size', DEFAULT_BULK_MAX_SIZE, { min: 1 });
  return {
    clients: [createConsoleClient(process.stdout, pretty)],
    batchSize,
    maxRetries: -1,
    loadbalance: false,
    flushIntervalMs: 0,
  };
};

export function createConsoleClient(out: Writable, pretty: boolean): OutputClient {
  return {
    name: 'console',
    async publish(batch: Batch) {
      let text = '';
      for (const e of batch.events) text += (pretty ? encodeEventPretty(e) : encodeEvent(e)) + '\n';
      await new Promise<void>((resolve, reject) => {
        out.write(text, (err) => (err ? reject(err) : resolve()));
      });
      batch.ack();
    },
    async close() {},
  };
}
