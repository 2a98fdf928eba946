import type { Batch } from '../../publisher/batch.js';
import type { OutputClient, OutputFactory } from '../output.js';
import { encodeEvent } from '../codec/json.js';
import { FileRotator } from './rotator.js';

const DEFAULT_ROTATE_EVERY_KB = 10 * 1024;
const DEFAULT_NUMBER_OF_FILES = 7;
const DEFAULT_BULK_MAX_SIZE = 2048;

/**
 * `output.file` (Beats 1.0): one JSON event per line in `<path>/<filename>`, rotated by size. A batch is one
 * write; it is acknowledged when the write completed. I/O errors throw, so the pipeline retries with backoff.
 */
export const createFileOutput: OutputFactory = (cfg, ctx) => {
  const path = cfg.str('path');
  if (!path) throw cfg.error('path', 'is required (the directory to write to)');
  const rotator = new FileRotator({
    dir: path,
    name: cfg.str('filename', ctx.beat.beat),
    rotateEveryBytes: cfg.int('rotate_every_kb', DEFAULT_ROTATE_EVERY_KB, { min: 1 }) * 1024,
    numberOfFiles: cfg.int('number_of_files', DEFAULT_NUMBER_OF_FILES, { min: 1, max: 1024 }),
  });
  return {
    clients: [createFileClient(rotator)],
    batchSize: cfg.int('bulk_max_size', DEFAULT_BULK_MAX_SIZE, { min: 1 }),
    maxRetries: -1,
    loadbalance: false,
    flushIntervalMs: 0,
  };
};

export function createFileClient(rotator: FileRotator): OutputClient {
  return {
    name: `file(${rotator.path})`,
    connect: () => rotator.open(),
    async publish(batch: Batch) {
      let text = '';
      for (const e of batch.events) text += encodeEvent(e) + '\n';
      await rotator.write(text);
      batch.ack();
    },
    close: () => rotator.close(),
  };
}
