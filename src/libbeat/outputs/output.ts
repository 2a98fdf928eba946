import type { Batch } from '../publisher/batch.js';
import type { ConfigNode } from '../config/config-node.js';
import type { Logger } from '../logp/logger.js';
import type { Registry } from '../monitoring/registry.js';
import type { BeatInfo } from '../beat/info.js';

/**
 * One connection (or file, or stream) an output publishes through. The pipeline runs one worker per client.
 *
 * `publish` is called with one batch at a time per client and must end the batch with exactly one signal (see
 * Batch). Throwing (or rejecting) means the connection failed: the pipeline retries the batch, calls `close()`,
 * waits with exponential backoff and jitter, and calls `connect()` again before the next batch. In failover mode the
 * next client takes over.
 */
export interface OutputClient {
  /** For logs: `elasticsearch(http://10.0.0.1:9200)`. */
  readonly name: string;
  /** Network clients connect lazily, before the first batch and after every failure. */
  connect?(signal: AbortSignal): Promise<void>;
  publish(batch: Batch): Promise<void>;
  close(): Promise<void>;
  /** Connectivity check for `-test-output`: resolves with a human summary or throws with the reason. */
  test?(signal: AbortSignal): Promise<string>;
}

/** What an output factory returns: its clients and how the pipeline should drive them. */
export interface OutputGroup {
  clients: OutputClient[];
  /** Maximum events per batch (`bulk_max_size`). */
  batchSize: number;
  /** Attempts after the first before a batch is dropped; < 0 = forever. Guaranteed producers always retry. */
  maxRetries: number;
  /** true: every client pulls batches (load balancing). false: one client at a time, failing over in order. */
  loadbalance: boolean;
  /** How long a partial batch may wait for more events before it is sent (`flush_interval`); 0 = at once. */
  flushIntervalMs: number;
  /** Backoff after a connection failure: initial and maximum wait. */
  backoff?: { initMs: number; maxMs: number };
}

export interface OutputContext {
  beat: BeatInfo;
  log: Logger;
  metrics: Registry;
}

/** Builds an output from its `output.<name>` section. Validation errors are ConfigErrors naming the option. */
export type OutputFactory = (cfg: ConfigNode, ctx: OutputContext) => OutputGroup | Promise<OutputGroup>;
