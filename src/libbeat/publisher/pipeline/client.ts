import type { BeatEvent } from '../../common/event.js';
import type { ClientOptions, PipelineClient } from '../client.js';
import type { ClientAcker } from './acker.js';
import type { Entry } from './entry.js';
import type { PublishPipeline } from './pipeline.js';

/** Builds a producer's client over the pipeline (see PipelineClient for the contract). */
export function createClient(pipeline: PublishPipeline, acker: ClientAcker, opts: ClientOptions): PipelineClient {
  const guaranteed = opts.guaranteed ?? false;
  const dropOnFull = opts.dropOnFull ?? false;
  let closed = false;

  const publish = (event: BeatEvent): Promise<void> | undefined => {
    if (closed) throw new Error('Publishing on a closed pipeline client.');
    const prepared = pipeline.prepare(event);
    const entry: Entry = {
      event: prepared ?? event,
      acker,
      seq: acker.nextSeq(),
      guaranteed,
      pending: 1,
      dropped: false,
    };
    acker.add(entry);
    if (prepared === null) {
      entry.pending = 0;
      acker.done(entry);
      return undefined;
    }
    return pipeline.enqueue(entry, dropOnFull);
  };

  const publishAll = async (events: readonly BeatEvent[]): Promise<void> => {
    for (const e of events) {
      const p = publish(e);
      if (p) await p;
    }
  };

  return {
    publish,
    publishAll,
    async publishSync(events) {
      await publishAll(events);
      await acker.waitFor(acker.nextSeq());
    },
    flush: () => acker.waitFor(acker.nextSeq()),
    get pending() {
      return acker.pending;
    },
    close() {
      closed = true;
    },
  };
}
