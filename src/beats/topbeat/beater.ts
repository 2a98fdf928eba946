import type { Beat, Beater } from '../../libbeat/beat/beater.js';
import { errorMessage } from '../../libbeat/common/errors.js';
import { Collector } from './collector.js';
import type { TopbeatConfig } from './config.js';
import { openSystemSource } from './platform.js';

/**
 * Topbeat's loop: every `period`, one collection, its events published without waiting (an async beat: when the
 * queue is full, events are dropped and counted rather than delaying the next collection). Collections are
 * aligned on the start time, so they do not drift; one that overruns its period skips the missed ticks.
 */
export class Topbeat implements Beater {
  private stopping = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly beat: Beat,
    private readonly cfg: TopbeatConfig,
  ) {}

  async run(): Promise<void> {
    const { beat, cfg } = this;
    const log = beat.log.child('topbeat');
    for (const k of cfg.unknown) log.warn(`Unknown option ${k} in the config; it is ignored.`);
    const source = await openSystemSource();
    const collector = new Collector(source, cfg);
    const client = beat.pipeline.connect({ dropOnFull: true });
    const kinds = [cfg.system && 'system', cfg.proc && 'process', cfg.filesystem && 'filesystem'].filter(Boolean).join(', ');
    log.info(`Collecting ${kinds || 'nothing'} every ${cfg.periodMs / 1000}s (source: ${source.kind}).`);
    const collections = beat.metrics.counter('topbeat.collections');
    try {
      let next = performance.now();
      while (!this.stopping) {
        const t0 = performance.now();
        try {
          const timestamp = new Date();
          const docs = await collector.collect(timestamp.getTime());
          for (const fields of docs) client.publish({ timestamp, fields });
          collections.inc();
          if (log.isDebug) log.debug(`Collection: ${docs.length} events in ${(performance.now() - t0).toFixed(1)} ms.`);
        } catch (err) {
          log.error(`Collection failed: ${errorMessage(err)}.`);
        }
        next += cfg.periodMs;
        const now = performance.now();
        if (next < now) next = now + cfg.periodMs - ((now - next) % cfg.periodMs);
        await this.sleep(next - now);
      }
    } finally {
      client.close();
      source.close();
    }
  }

  stop(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
