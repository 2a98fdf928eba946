// How a thrift event must look for a row of the captures' expected.json (used by the direct and the engine tests).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';

type Obj = Record<string, unknown>;

// The IDL sits next to the compiled test's source: dist/test/... -> test/...
export const CALCULATOR_IDL = fileURLToPath(new URL('../../../../../test/integration/packetbeat/thrift/calculator.thrift', import.meta.url));

/** Checks one thrift event against one expected.json row (shared with the engine-driven test). */
export function assertThriftMatches(ev: BeatEvent, exp: Obj, i: number, frames: boolean): void {
  const f = ev.fields;
  const t = f['thrift'] as Obj;
  const at = `transaction ${i} (${String(exp['method'])})`;
  assert.equal(f['type'], 'thrift', at);
  assert.equal(f['client_port'], exp['client_port'], at);
  assert.equal(f['ip'], exp['server_ip'], at);
  assert.equal(f['port'], exp['port'], at);
  assert.equal(f['method'], exp['method'], at);
  assert.equal(f['status'], exp['status'], at);
  assert.equal(t['message_type'], exp['message_type'], at);
  assert.equal(t['reply_type'] ?? null, exp['reply'], at);
  if ('return_value' in exp) {
    const rv = exp['return_value'];
    assert.equal(t['return_value'], rv === null ? undefined : typeof rv === 'string' ? `"${rv}"` : String(rv), at);
  }
  const ex = exp['exception'] as Obj | undefined;
  if (ex === undefined) assert.equal(t['exceptions'], undefined, at);
  else {
    const text = String(t['exceptions']);
    if ('application_exception_type' in ex) {
      assert.ok(text.includes(`message: "${String(ex['message'])}"`), `${at}: ${text}`);
      assert.ok(text.includes(`type: ${String(ex['application_exception_type'])}`), `${at}: ${text}`);
    } else {
      assert.ok(/^\((1|ouch): \(/.test(text), `${at}: ${text}`);
      for (const s of ex['strings'] as string[]) assert.ok(text.includes(`"${s}"`), `${at}: ${text}`);
    }
  }
  if (frames) {
    assert.equal(ev.timestamp.getTime() / 1000, exp['request_frame'], at);
    const rf = exp['response_frame'] as number | undefined;
    assert.equal(f['responsetime'], rf === undefined ? undefined : (rf - (exp['request_frame'] as number)) * 1000, at);
  }
}
