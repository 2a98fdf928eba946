import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, startFilebeat, waitFor } from './helpers.js';

describe('filebeat memory', () => {
  it('bounded memory: the harvester waits for the output instead of buffering the file as events', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    writeFileSync(log, `${'m'.repeat(219)}\n`.repeat(200_000)); // 44 MB of 220-byte lines; as queued events it would take several hundred MB
    sb.config([log]);
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    let peakKb = 0;
    await waitFor('all lines', () => {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${fb.proc.pid}/status`, 'utf8'));
      if (m) peakKb = Number(m[1]);
      return (sb.registryEntries()[0]?.offset ?? 0) === statSync(log).size;
    }, 25_000);
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0);
    assert.equal(sb.docs().length, 200_000);
    process.stdout.write(`# peak RSS ${Math.round(peakKb / 1024)} MB for a 44 MB file\n`);
    assert.ok(peakKb > 0 && peakKb < 150_000, `peak RSS ${Math.round(peakKb / 1024)} MB`);
  });
});
