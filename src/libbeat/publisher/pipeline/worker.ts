import { Backoff } from '../../common/backoff.js';
import { errorMessage } from '../../common/errors.js';
import type { OutputClient } from '../../outputs/output.js';
import type { OutputController } from './output-controller.js';

const DEFAULT_BACKOFF_INIT_MS = 1000;
const DEFAULT_BACKOFF_MAX_MS = 60_000;

/**
 * One output worker. With one client it is a load-balancing worker (the controller runs one per client, all
 * pulling from the same queue). With several clients it is the failover worker: it uses one client at a time and
 * moves to the next when connecting or publishing fails.
 *
 * A connection failure (connect or publish throwing) closes the client and waits with exponential backoff and
 * jitter; a batch signalled for retry also waits before the next batch (the output is congested or failing).
 * That wait, with the bounded queue behind it, is how backpressure reaches producers.
 */
export async function runWorker(ctrl: OutputController, clients: readonly OutputClient[]): Promise<void> {
  const b = ctrl.group.backoff;
  const backoff = new Backoff(b?.initMs ?? DEFAULT_BACKOFF_INIT_MS, b?.maxMs ?? DEFAULT_BACKOFF_MAX_MS);
  const connected = new Set<OutputClient>();
  const signal = ctrl.signal;
  let idx = 0;
  for (;;) {
    const batch = await ctrl.nextBatch();
    if (!batch) break;
    const client = clients[idx]!;
    let failed = false;
    if (client.connect && !connected.has(client)) {
      try {
        await client.connect(signal);
        connected.add(client);
        ctrl.log.info(`Connected to ${client.name}.`);
      } catch (err) {
        ctrl.log.error(`Failed to connect to ${client.name}: ${errorMessage(err)}.`);
        batch.cancelled();
        ctrl.batchDone();
        await client.close().catch(() => {});
        if (clients.length > 1) idx = (idx + 1) % clients.length;
        await backoff.wait(signal);
        continue;
      }
    }
    try {
      await client.publish(batch);
      if (batch.outcome === 'pending') {
        ctrl.log.error(`Output ${client.name} returned without acknowledging a batch; sending it again.`);
        batch.retry();
      }
    } catch (err) {
      failed = true;
      if (batch.outcome === 'pending') batch.retry();
      ctrl.log.error(`Failed to publish events to ${client.name}: ${errorMessage(err)}.`);
      connected.delete(client);
      await client.close().catch(() => {});
      if (clients.length > 1) idx = (idx + 1) % clients.length;
    } finally {
      ctrl.batchDone();
    }
    if (failed || batch.outcome === 'retry' || batch.outcome === 'partial') await backoff.wait(signal);
    else backoff.reset();
  }
  for (const c of connected) await c.close().catch(() => {});
}
