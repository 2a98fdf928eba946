import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { Collector } from '../../../src/beats/topbeat/collector.js';
import { openSystemSource } from '../../../src/beats/topbeat/platform.js';

// The macOS/Windows source (systeminformation + os) runs on Linux too: check that it produces the same documents.

function leafPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, c]) => leafPaths(c, prefix ? `${prefix}.${k}` : k));
}

const opts = { procs: [/.*/], system: true, proc: true, filesystem: true, cpuPerCore: true };

describe('portable source (systeminformation)', () => {
  it('is chosen by TOPBEAT_SOURCE and yields the same field names as the Linux source', async (t) => {
    const portable = await openSystemSource({ TOPBEAT_SOURCE: 'systeminformation' });
    assert.equal(portable.kind, 'systeminformation');
    const native = await openSystemSource({});
    if (native.kind !== 'linux-proc') {
      t.skip(`needs Linux to compare with the /proc source (this is ${process.platform})`);
      return;
    }
    try {
      const a = await new Collector(portable, opts).collect();
      const b = await new Collector(native, opts).collect();
      for (const type of ['system', 'process', 'filesystem']) {
        const da = a.find((d) => d['type'] === type);
        const db = b.find((d) => d['type'] === type);
        assert.ok(da && db, type);
        assert.deepEqual(leafPaths(da).sort(), leafPaths(db).sort(), type);
      }
      const sys = a[0] as { mem: { total: number }; cpu: { user: number } };
      assert.equal(sys.mem.total, totalmem());
      assert.ok(sys.cpu.user > 0);
      const pids = new Set(a.filter((d) => d['type'] === 'process').map((d) => (d['proc'] as { pid: number }).pid));
      assert.ok(pids.has(process.pid), 'this process is listed');
      const root = a.find((d) => d['type'] === 'filesystem' && (d['fs'] as { mount_point: string }).mount_point === '/');
      const nativeRoot = b.find((d) => d['type'] === 'filesystem' && (d['fs'] as { mount_point: string }).mount_point === '/');
      if (root && nativeRoot) assert.equal((root['fs'] as { total: number }).total, (nativeRoot['fs'] as { total: number }).total);
    } finally {
      portable.close();
      native.close();
    }
  });
});
