import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuShares, ProcessCpuTracker } from '../../../src/beats/topbeat/cpu-delta.js';
import { filesystemEvent, formatStartTime, memFields, processEvent, StartTimeFormatter, stateName } from '../../../src/beats/topbeat/events.js';
import type { CpuTimes, ProcessSample } from '../../../src/beats/topbeat/types.js';

const t = (user: number, system: number, idle: number): CpuTimes => ({ user, nice: 0, system, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 });

function proc(pid: number, userMs: number, systemMs: number, startMs = 1000): ProcessSample {
  return { pid, ppid: 1, name: 'p', state: 'S', userMs, systemMs, startMs, size: 1, rss: 50, share: 0, cmdline: '', username: 'u' };
}

describe('CPU shares', () => {
  it('are deltas of user and system over all ticks, 0 without a previous sample or elapsed ticks', () => {
    assert.deepEqual(cpuShares(undefined, t(10, 10, 10)), { user_p: 0, system_p: 0 });
    assert.deepEqual(cpuShares(t(100, 50, 850), t(130, 60, 910)), { user_p: 0.3, system_p: 0.1 });
    assert.deepEqual(cpuShares(t(1, 1, 1), t(1, 1, 1)), { user_p: 0, system_p: 0 });
  });

  it('per process: CPU ms over wall ms since the last collection, restarting for a reused pid', () => {
    const tr = new ProcessCpuTracker();
    assert.equal(tr.share(proc(1, 100, 0), 0), 0);
    assert.equal(tr.share(proc(2, 0, 0), 0), 0);
    tr.endCollection();
    assert.equal(tr.share(proc(1, 500, 100), 1000), 0.5);
    assert.equal(tr.share(proc(2, 1500, 500, 9999), 1000), 0, 'same pid, other start time: a new process');
    tr.endCollection();
    assert.equal(tr.share(proc(1, 2500, 100), 2000), 2, 'two cores busy');
    tr.endCollection();
    tr.endCollection();
    assert.equal(tr.share(proc(1, 9000, 0), 3000), 0, 'forgotten after a collection without it');
  });
});

describe('event documents', () => {
  it('memory and swap with used and actual values', () => {
    const f = memFields({ total: 1000, free: 250, available: 600, swapTotal: 0, swapFree: 0 });
    assert.deepEqual(f.mem, { total: 1000, used: 750, free: 250, used_p: 0.75, actual_used: 400, actual_free: 600, actual_used_p: 0.4 });
    assert.deepEqual(f.swap, { total: 0, used: 0, free: 0, used_p: 0 });
  });

  it('process documents use the 1.0 names', () => {
    const e = processEvent(proc(7, 1200, 300), 0.25, 1000, '15:04') as { type: string; proc: Record<string, unknown> };
    assert.equal(e.type, 'process');
    assert.deepEqual(Object.keys(e.proc).sort(), ['cmdline', 'cpu', 'mem', 'name', 'pid', 'ppid', 'state', 'username']);
    assert.deepEqual(e.proc['cpu'], { user: 1200, system: 300, total: 1500, user_p: 0.25, start_time: '15:04' });
    assert.deepEqual(e.proc['mem'], { size: 1, rss: 50, rss_p: 0.05, share: 0 });
    assert.equal(e.proc['state'], 'sleeping');
  });

  it('filesystem documents', () => {
    const e = filesystemEvent({ deviceName: '/dev/sda1', mountPoint: '/', total: 400, free: 100, avail: 80, files: 10, freeFiles: 4 });
    assert.deepEqual(e, {
      type: 'filesystem',
      fs: { device_name: '/dev/sda1', mount_point: '/', total: 400, used: 300, free: 100, avail: 80, used_p: 0.75, files: 10, free_files: 4 },
    });
  });

  it('names states and formats start times like Topbeat 1.0', () => {
    assert.deepEqual(['R', 'S', 'D', 'T', 'Z', 'W'].map(stateName), ['running', 'sleeping', 'idle', 'stopped', 'zombie', 'unknown']);
    const start = new Date(2025, 0, 2, 15, 4).getTime();
    assert.equal(formatStartTime(start, start + 3_600_000), '15:04');
    assert.equal(formatStartTime(start, start + 2 * 86_400_000), 'Jan02');
    assert.equal(formatStartTime(0, start), '00:00');
    const f = new StartTimeFormatter();
    assert.equal(f.format(start, start + 3_600_000), '15:04');
    assert.equal(f.format(start, start + 7_200_000), '15:04');
    assert.equal(f.format(start, start + 86_400_001), 'Jan02', 'the cached "15:04" expires after 24 hours');
  });
});
