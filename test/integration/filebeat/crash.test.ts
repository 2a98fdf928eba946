import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import { countMessages, delay, FILEBEAT, Sandbox, startFilebeat, waitFor } from './helpers.js';

function bigLog(path: string, lines: number): string[] {
  const msgs: string[] = [];
  let s = '';
  for (let i = 0; i < lines; i++) {
    const m = `line-${i} ${'p'.repeat(60)}`;
    msgs.push(m);
    s += `${m}\n`;
  }
  writeFileSync(path, s);
  return msgs;
}

describe('filebeat at-least-once across crashes and outages', () => {
  it('SIGKILL mid-stream: after a restart nothing is lost and only lines past the saved offset are sent again', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'big.log');
    const msgs = bigLog(log, 100_000);
    // Small batches: slower, so the kill lands mid-stream, with many acknowledgements in flight.
    sb.config([log], [], { outputYaml: `  file:\n    path: ${sb.out}\n    rotate_every_kb: 1000000\n    bulk_max_size: 64` });
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    const outFile = join(sb.out, 'filebeat');
    await waitFor('some progress', () => existsSync(sb.registry) && (sb.registryEntries()[0]?.offset ?? 0) > 0 && existsSync(outFile) && statSync(outFile).size > 1_000_000, 20_000);
    fb.proc.kill('SIGKILL');
    const ex = await fb.exited;
    assert.equal(ex.signal, 'SIGKILL');
    const saved = sb.registryEntries()[0]!.offset;
    const firstRun = sb.docs();
    assert.ok(firstRun.length < msgs.length, 'killed before the end');
    assert.ok(firstRun.every((d, i) => d.message === msgs[i]), 'shipped in order');
    // The saved offset never passes what was delivered.
    const delivered = firstRun.length > 0 ? firstRun[firstRun.length - 1]!.offset + Buffer.byteLength(firstRun[firstRun.length - 1]!.message) + 1 : 0;
    assert.ok(saved <= delivered, `registry offset ${saved} <= delivered ${delivered}`);

    const r = await runCli(FILEBEAT, ['-c', sb.cfg, '-e', '-once', '-E', 'output.file.bulk_max_size=2048'], { timeoutMs: 25_000 });
    assert.equal(r.code, 0, r.stderr);
    const all = sb.docs();
    const counts = countMessages(all);
    assert.equal(counts.size, msgs.length, 'no line lost');
    const dups = all.slice(firstRun.length).filter((d) => d.offset < saved);
    assert.equal(dups.length, 0, 'nothing before the saved offset is sent again');
    const resent = [...counts.values()].filter((n) => n > 1).length;
    assert.ok(resent <= firstRun.length, `duplicates (${resent}) limited to lines delivered but not yet saved`);
    assert.equal(sb.registryEntries()[0]!.offset, statSync(log).size);
  });

  it('an output that fails for a while: nothing is acknowledged meanwhile, everything arrives after', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    const msgs = bigLog(log, 3000);
    // The output directory cannot be created while a plain file sits where its parent should be.
    const blocker = join(sb.dir, 'blocked');
    writeFileSync(blocker, 'not a directory');
    const outDir = join(blocker, 'out');
    sb.config([log], [], { outputYaml: `  file:\n    path: ${outDir}\n    rotate_every_kb: 1000000` });
    const fb = startFilebeat(['-c', sb.cfg, '-e', '-v']);
    await waitFor('the first scan', () => existsSync(sb.registry));
    await delay(1500);
    assert.equal(sb.registryEntries()[0]!.offset, 0, 'no offset saved while the output fails');
    unlinkSync(blocker);
    await waitFor('all lines delivered', () => sb.docs(outDir).length >= msgs.length, 20_000);
    await waitFor('offset saved', () => sb.registryEntries()[0]!.offset === statSync(log).size);
    fb.proc.kill('SIGTERM');
    assert.equal((await fb.exited).code, 0);
    const counts = countMessages(sb.docs(outDir));
    assert.equal(counts.size, msgs.length);
    assert.ok([...counts.values()].every((n) => n === 1));
    assert.match(fb.stderr(), /not a directory|ENOTDIR|EEXIST/i);
  });

  it('stops promptly on SIGTERM while the output is down and the queue is full, keeping offset 0', async () => {
    const sb = new Sandbox();
    const log = join(sb.logs, 'app.log');
    bigLog(log, 3000);
    const blocker = join(sb.dir, 'blocked');
    writeFileSync(blocker, 'not a directory');
    sb.config([log], [], { outputYaml: `  file:\n    path: ${join(blocker, 'out')}\n    bulk_max_size: 50` });
    writeFileSync(sb.cfg, readFileSync(sb.cfg, 'utf8').replace('shutdown_timeout: 5s', 'shutdown_timeout: 1s') + 'shipper:\n  queue_size: 100\n');
    const fb = startFilebeat(['-c', sb.cfg, '-e']);
    await waitFor('the first scan', () => existsSync(sb.registry));
    await delay(500);
    const t0 = Date.now();
    fb.proc.kill('SIGTERM');
    const ex = await fb.exited;
    assert.equal(ex.code, 0, fb.stderr());
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(sb.registryEntries()[0]!.offset, 0);
  });
});
