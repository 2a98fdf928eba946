import type { BeatEvent } from '../../src/libbeat/common/event.js';
import type { Batch } from '../../src/libbeat/publisher/batch.js';

export type Signal = 'ack' | 'drop' | 'retry' | 'retryEvents' | 'cancelled';

/** A Batch that records the signals it receives, for driving one output client directly in tests. */
export class RecordingBatch implements Batch {
  readonly events: BeatEvent[];
  readonly attempts: number;
  readonly signals: Signal[] = [];
  retried: readonly BeatEvent[] = [];

  constructor(events: BeatEvent[], attempts = 0) {
    this.events = events;
    this.attempts = attempts;
  }

  ack(): void {
    this.signals.push('ack');
  }
  drop(): void {
    this.signals.push('drop');
  }
  retry(): void {
    this.signals.push('retry');
    this.retried = this.events;
  }
  retryEvents(events: readonly BeatEvent[]): void {
    this.signals.push('retryEvents');
    this.retried = events;
  }
  cancelled(): void {
    this.signals.push('cancelled');
  }
}
