import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Beat } from '../../../src/libbeat/beat/beater.js';
import { loadConfigText } from '../../../src/libbeat/config/load.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { topbeatDefinition } from '../../../src/beats/topbeat/definition.js';
import { InMemoryClient } from '../../support/in-memory-output.js';
import { group, startPipeline, TEST_BEAT, waitUntil } from '../../support/pipeline-harness.js';

function beatWith(yaml: string, client: InMemoryClient, queueSize = 4096) {
  // The pipeline keeps at least two batches per output queued: small batches make a small queue possible.
  const { pipeline, metrics } = startPipeline({ mem: group([client], { batchSize: Math.min(2048, queueSize / 2) }) }, { queueSize });
  const beat: Beat = { info: TEST_BEAT, config: loadConfigText(yaml, 'topbeat.yml'), log: nopLogger, metrics, pipeline, flags: {} };
  return { beat, pipeline, metrics };
}

const types = (c: InMemoryClient) => c.delivered.map((e) => e.fields['type']);

describe('Topbeat beater', { skip: process.platform === 'linux' ? false : 'uses the Linux source' }, () => {
  it('collects every period until stopped, and stops promptly', async () => {
    const client = new InMemoryClient();
    const { beat, pipeline } = beatWith('input:\n  period: 0.1\n  stats:\n    proc: false\n', client);
    const beater = await topbeatDefinition.create(beat);
    const running = beater.run();
    await waitUntil(() => types(client).filter((t) => t === 'system').length >= 3, 10_000, 'three system events');
    const t0 = performance.now();
    beater.stop();
    await running;
    assert.ok(performance.now() - t0 < 1000, 'run() settles soon after stop()');
    await pipeline.close(1000);
    const ts = types(client);
    assert.ok(ts.includes('filesystem'));
    assert.ok(!ts.includes('process'), 'stats.proc: false');
    // Shares are computed from the previous collection, so later system events carry real values.
    const sys = client.delivered.filter((e) => e.fields['type'] === 'system').map((e) => e.fields['cpu'] as Record<string, number>);
    assert.ok(sys.slice(1).every((c) => c['user_p']! >= 0 && c['user_p']! <= 1));
  });

  it('never waits on a full queue: events are dropped and counted, collections go on', async () => {
    const client = new InMemoryClient({ behaviour: () => 'hang' });
    const { beat, pipeline, metrics } = beatWith('input:\n  period: 0.05\n', client, 16);
    const beater = await topbeatDefinition.create(beat);
    const running = beater.run();
    await waitUntil(() => metrics.snapshot()['topbeat.collections']! >= 3, 10_000, 'three collections');
    beater.stop();
    await running;
    const snap = metrics.snapshot();
    assert.ok(snap['libbeat.pipeline.events.dropped_queue_full']! > 0, JSON.stringify(snap));
    await pipeline.close(0);
  });
});
