import type { BeatEvent } from '../../common/event.js';
import type { ClientAcker } from './acker.js';

/**
 * The pipeline's bookkeeping for one published event: shared by every output that received it.
 * `pending` counts the outputs still working on it; at 0 the event is done and its client's acker is told.
 */
export interface Entry {
  readonly event: BeatEvent;
  readonly acker: ClientAcker;
  /** Position in the client's publish order. */
  readonly seq: number;
  readonly guaranteed: boolean;
  pending: number;
  /** Set when any output gave up on the event. */
  dropped: boolean;
}

/** Marks one output as finished with the entry. */
export function settle(entry: Entry, dropped: boolean): void {
  if (dropped) entry.dropped = true;
  if (--entry.pending === 0) entry.acker.done(entry);
}
