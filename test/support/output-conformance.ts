import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputClient } from '../../src/libbeat/outputs/output.js';
import { RecordingBatch } from './recording-batch.js';
import { makeEvent } from './in-memory-output.js';

/** What a conformance run needs from one output under test. */
export interface OutputUnderTest {
  client: OutputClient;
  /** The `n` field of every event the receiving side holds, in arrival order. */
  received(): Promise<number[]>;
  /** Tear down servers/files. */
  cleanup(): Promise<void>;
}

/**
 * The contract every output client must meet, run by each output's tests:
 * - after connect(), a batch is delivered completely and signalled with exactly one ack;
 * - consecutive batches arrive in order, each event once;
 * - an empty batch is acknowledged;
 * - close() can be called twice, and the client can connect again after close().
 */
export function outputConformance(name: string, setup: () => Promise<OutputUnderTest>): void {
  it(`${name}: delivers a batch and acknowledges it exactly once`, async () => {
    const o = await setup();
    try {
      await o.client.connect?.(AbortSignal.timeout(5000));
      const b = new RecordingBatch(Array.from({ length: 100 }, (_, i) => makeEvent(i)));
      await o.client.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      assert.deepEqual(await o.received(), Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await o.client.close();
      await o.cleanup();
    }
  });

  it(`${name}: keeps batch order, acknowledges empty batches, survives close and reconnect`, async () => {
    const o = await setup();
    try {
      await o.client.connect?.(AbortSignal.timeout(5000));
      for (let k = 0; k < 3; k++) {
        const b = new RecordingBatch(Array.from({ length: 10 }, (_, i) => makeEvent(k * 10 + i)));
        await o.client.publish(b);
        assert.deepEqual(b.signals, ['ack']);
      }
      const empty = new RecordingBatch([]);
      await o.client.publish(empty);
      assert.equal(empty.signals.length, 1);
      await o.client.close();
      await o.client.close();
      await o.client.connect?.(AbortSignal.timeout(5000));
      const again = new RecordingBatch([makeEvent(30)]);
      await o.client.publish(again);
      assert.deepEqual(again.signals, ['ack']);
      assert.deepEqual(await o.received(), Array.from({ length: 31 }, (_, i) => i));
    } finally {
      await o.client.close();
      await o.cleanup();
    }
  });
}
