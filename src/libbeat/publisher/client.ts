import type { BeatEvent } from '../common/event.js';

/** How a producer connects to the pipeline (beats' ClientConfig / publisher options). */
export interface ClientOptions {
  /**
   * Retry forever, whatever the output's `max_retries` (Filebeat). Events are never dropped for being
   * undeliverable by a temporary failure; only an output's definitive rejection (ES 4xx) drops them.
   */
  guaranteed?: boolean;
  /**
   * Called in publish order with the `private` payloads of events that are done: delivered by every output, or
   * dropped. `acked` + `dropped` = privates.length. Never called twice for one event.
   */
  onAck?: (privates: readonly unknown[], acked: number, dropped: number) => void;
  /** When the queue is full, drop the event and count it instead of waiting (async beats: Topbeat, Packetbeat). */
  dropOnFull?: boolean;
}

/**
 * A producer's handle on the pipeline. Events are acknowledged to it in the order it published them.
 * Not safe for sharing between producers that need separate acknowledgements: connect once per producer.
 */
export interface PipelineClient {
  /**
   * Queues one event (after the pipeline's processors and the `beat.*`/`tags`/`count` fields are applied).
   * Returns undefined when the event was accepted at once. When the queue is full it returns a promise that
   * resolves once the event is queued: await it before publishing more — this is the backpressure. With
   * `dropOnFull` it never waits.
   */
  publish(event: BeatEvent): Promise<void> | undefined;
  /** Publishes many, waiting for queue space as needed. */
  publishAll(events: readonly BeatEvent[]): Promise<void>;
  /** Sync publishing: resolves when every one of `events` is acknowledged or definitively dropped. */
  publishSync(events: readonly BeatEvent[]): Promise<void>;
  /** Resolves when everything this client published so far is acknowledged or dropped. */
  flush(): Promise<void>;
  /** Number of this client's events not yet acknowledged or dropped. */
  readonly pending: number;
  /** Stop publishing; events already queued are still delivered (and acknowledged) by the pipeline. */
  close(): void;
}

/** The pipeline as beats see it. */
export interface Pipeline {
  connect(opts?: ClientOptions): PipelineClient;
}
