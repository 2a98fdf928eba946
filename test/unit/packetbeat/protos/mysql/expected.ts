// Compares reported events with a capture's *.expected.json (format in /work/shared/captures/README.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';

export const CAPTURES = process.env['CAPTURES_DIR'] ?? '/work/shared/captures';

export type Expected = Record<string, unknown>;

export function loadExpected(name: string): Expected[] {
  return JSON.parse(readFileSync(`${CAPTURES}/${name}.expected.json`, 'utf8')) as Expected[];
}

/** Keys of the expected file that live in the protocol's object (`mysql.*`, `pgsql.*`) rather than at the top. */
const TOP = new Set(['type', 'transport', 'client_ip', 'client_port', 'port', 'method', 'query', 'status', 'path']);
const SKIP = new Set(['request_frame', 'response_frame', 'server_ip', 'metadata_skipped']);

/**
 * Asserts that `ev` is the transaction `exp`: common fields at the top level, protocol fields under `proto`,
 * `path` absent when not expected, and the request time equal to the request frame's capture time (ms).
 */
export function assertTransaction(ev: BeatEvent, exp: Expected, proto: string, frameTs?: Map<number, number>): void {
  const f = ev.fields;
  const where = `transaction of request frame ${String(exp['request_frame'])} (${String(exp['query'])})`;
  assert.equal(f['ip'], exp['server_ip'], where);
  const sub = (f[proto] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(exp)) {
    if (SKIP.has(k)) continue;
    if (TOP.has(k)) assert.deepEqual(f[k], v, `${where}: ${k}`);
    else assert.deepEqual(sub[k], v, `${where}: ${proto}.${k}`);
  }
  if (!('path' in exp)) assert.equal(f['path'], undefined, `${where}: no path expected`);
  if (exp['response_frame'] === undefined) assert.equal(f['responsetime'], undefined, `${where}: no response`);
  else assert.equal(typeof f['responsetime'], 'number', `${where}: responsetime`);
  const rf = exp['request_frame'];
  if (frameTs !== undefined && typeof rf === 'number') {
    const ts = frameTs.get(rf);
    assert.ok(ts !== undefined);
    assert.equal(ev.timestamp.getTime(), Math.floor(ts), `${where}: @timestamp is the request frame's time`);
    const resp = exp['response_frame'];
    if (typeof resp === 'number') {
      const rts = frameTs.get(resp) as number;
      assert.equal(f['responsetime'], Math.max(0, Math.round(rts - ts)), `${where}: responsetime`);
    }
  }
}
