import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';
import { E2eSandbox, FILEBEAT, numberedLines, startBeat, tally } from './helpers.js';

// `filebeat -once` through the real CLI into the lumberjack test receiver, which closes the connection in the
// middle of several windows (keeping what it already read, as a crashing Logstash would have processed it): the
// unacknowledged rest of each window is sent again, so every line arrives at least once, and the registry ends at
// the end of each file.

describe('e2e: filebeat -once → Logstash (lumberjack receiver) misbehaving', () => {
  it('delivers every line at least once with @metadata, and the registry offsets equal the file sizes', async () => {
    let closed = 0;
    // Windows 0, 2, 4 (of the first connections) are cut after half their frames.
    const cut = (w: { window: number; size: number }): number | undefined => {
      if (w.window % 2 !== 0 || closed >= 3) return undefined;
      closed++;
      return Math.max(1, w.size >> 1);
    };
    const rx = await LumberjackReceiver.start({ faults: { closeAfter: cut } });
    const sb = new E2eSandbox();
    try {
      const a = join(sb.logs, 'a.log');
      const b = join(sb.logs, 'b.log');
      writeFileSync(a, numberedLines('a', 0, 2500));
      writeFileSync(b, numberedLines('b', 0, 1500));
      sb.filebeat([join(sb.logs, '*.log')], { logstash: { hosts: [rx.address], bulk_max_size: 200, timeout: 5 } });
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());

      assert.equal(closed, 3, 'the receiver cut three windows');
      assert.ok(rx.connections >= 4, `the sender reconnected after each cut (${rx.connections} connections)`);

      // Dedupe by (source, offset): the offset identifies a line in its file.
      const key = (d: Record<string, unknown>) => `${d['source'] as string}@${d['offset'] as number}`;
      const expected: string[] = [];
      for (const [file, n, prefix] of [[a, 2500, 'a'], [b, 1500, 'b']] as const) {
        let off = 0;
        for (let i = 0; i < n; i++) {
          expected.push(`${file}@${off}`);
          off += `${prefix}-${i}\n`.length;
        }
      }
      const docs = rx.events.map((e) => e.doc);
      const t = tally(expected, docs.map(key));
      assert.deepEqual(t.lost, [], 'no line lost');
      assert.deepEqual(t.unexpected, [], 'every (source, offset) names a line start');
      // At-least-once: the frames a cut window delivered before the cut come again. Report how many.
      process.stdout.write(`# logstash e2e: ${docs.length} events received for ${expected.length} lines, ${t.duplicates} duplicates over ${rx.connections} connections\n`);
      assert.ok(t.duplicates > 0, 'the frames read before each cut were sent again (at-least-once, not at-most-once)');
      assert.ok(t.duplicates <= 3 * 200, 'only the cut windows were sent again');
      // Message and offset agree for every copy.
      for (const d of docs) {
        const src = d['source'] as string;
        assert.ok(src === a || src === b);
        assert.match(d['message'] as string, src === a ? /^a-\d+$/ : /^b-\d+$/);
      }

      for (const d of docs) {
        const meta = d['@metadata'] as Record<string, unknown> | undefined;
        assert.equal(meta?.['beat'], 'filebeat', '@metadata.beat');
        assert.equal(meta?.['type'], 'log', '@metadata.type');
        assert.equal(d['type'], 'log');
      }

      const reg = sb.registryEntries();
      assert.equal(reg.find((e) => e.source === a)?.offset, statSync(a).size, 'registry offset of a.log is its size');
      assert.equal(reg.find((e) => e.source === b)?.offset, statSync(b).size, 'registry offset of b.log is its size');
    } finally {
      await rx.close();
      sb.remove();
    }
  });
  it('a receiver that stops acknowledging: the sender times out, reconnects and delivers every line', async () => {
    // The first connection acknowledges nothing at all (a Logstash whose pipeline is stuck); later ones behave.
    const rx = await LumberjackReceiver.start({ faults: { ackOnly: (w) => (w.conn === 0 ? 0 : undefined) } });
    const sb = new E2eSandbox();
    try {
      const log = join(sb.logs, 'stuck.log');
      writeFileSync(log, numberedLines('s', 0, 2000));
      sb.filebeat([log], { logstash: { hosts: [rx.address], bulk_max_size: 200, timeout: '300ms' } });
      const fb = startBeat(FILEBEAT, ['-c', sb.cfg, '-once', '-e']);
      const r = await fb.exited;
      assert.equal(r.code, 0, fb.stderr());
      assert.ok(rx.connections >= 2, 'the sender gave up on the silent connection and opened another');
      assert.equal(rx.acks.filter((a) => a.conn === 0).length, 0, 'the first connection never acknowledged');
      const t = tally(Array.from({ length: 2000 }, (_, i) => `s-${i}`), rx.events.map((e) => e.doc['message'] as string));
      assert.deepEqual(t.lost, [], 'no line lost');
      assert.deepEqual(t.unexpected, []);
      assert.ok(t.duplicates > 0, 'what the silent connection got was sent again');
      process.stdout.write(`# logstash stuck e2e: ${rx.events.length} events for 2000 lines over ${rx.connections} connections\n`);
      assert.equal(sb.registryEntries().find((e) => e.source === log)?.offset, statSync(log).size);
    } finally {
      await rx.close();
      sb.remove();
    }
  });
});
