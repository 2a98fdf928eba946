import type { BeatEvent } from '../common/event.js';

/**
 * A batch of events handed to an output client.
 *
 * Contract: every batch ends in exactly one terminal signal — `ack`, `drop`, `retry`, `retryEvents` or
 * `cancelled` — called once by the client that received it. Retries belong to the pipeline, not the output: the
 * output only says what happened, and the pipeline decides (attempt count, `max_retries`, guaranteed producers,
 * backoff) whether and when the events are sent again.
 */
export interface Batch {
  readonly events: readonly BeatEvent[];
  /** Number of earlier attempts at sending these events (0 on the first try). */
  readonly attempts: number;
  /** Every event was delivered. */
  ack(): void;
  /** Give up on every event (they will never be accepted); they are acknowledged to producers as done. */
  drop(): void;
  /** Temporary failure of the whole batch: send every event again (counts an attempt). */
  retry(): void;
  /**
   * Partial failure: the given events (a subset of `events`, same objects) are sent again; all the others count as
   * done (delivered, or dropped by the output, which counts those itself).
   */
  retryEvents(events: readonly BeatEvent[]): void;
  /** The batch was not processed at all (e.g. the client was closing): resend without counting an attempt. */
  cancelled(): void;
}
