// thrift_unframed.pcap (port 19090, socket transport) and thrift_framed.pcap (19091, framed) decoded by the thrift
// plugin fed straight from the pcaps, with and without the IDL: every expected transaction with its frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { createThriftProtocol } from '../../../../src/beats/packetbeat/protos/thrift/index.js';
import { CAPTURES, collectingContext, feedFrames, loadExpected, readPcap } from '../redis/pcap-feed.js';

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

function run(name: string, cfg: Obj): BeatEvent[] {
  const events: BeatEvent[] = [];
  feedFrames(createThriftProtocol(new ConfigNode(cfg), collectingContext(events)), readPcap(`${CAPTURES}/${name}.pcap`), { frameClock: true });
  return events;
}

for (const [name, port, transport] of [['thrift_unframed', 19090, 'socket'], ['thrift_framed', 19091, 'framed']] as const) {
  for (const withIdl of [false, true]) {
    test(`${name}.pcap (${transport}${withIdl ? ', IDL' : ''}): 8 transactions as expected`, () => {
      const events = run(name, { ports: [port], transport_type: transport, ...(withIdl ? { idl_files: [CALCULATOR_IDL] } : {}) });
      const expected = loadExpected(name);
      assert.equal(events.length, expected.length);
      expected.forEach((exp, i) => assertThriftMatches(events[i]!, exp, i, true));
      const calc = events[2]!.fields;
      const t = calc['thrift'] as Obj;
      if (withIdl) {
        assert.equal(t['params'], '(logid: 1, w: (num1: 100, num2: 7, op: 3, comment: "seven hundred"))');
        assert.equal(calc['path'], 'Calculator');
        assert.equal(t['service'], 'Calculator');
        assert.equal((events[3]!.fields['thrift'] as Obj)['exceptions'], '(ouch: (whatOp: 4, why: "Cannot divide by 0"))');
        assert.equal((events[5]!.fields['thrift'] as Obj)['return_value'], '[0, 1, 2, 3, 4]');
      } else {
        assert.equal(t['params'], '(1: 1, 2: (1: 100, 2: 7, 3: 3, 4: "seven hundred"))');
        assert.equal(calc['query'], 'calculate(1: 1, 2: (1: 100, 2: 7, 3: 3, 4: "seven hundred"))');
      }
    });
  }
}

test('the transport is recognised from the strict header whatever transport_type says', () => {
  const events = run('thrift_framed', { ports: [19091], transport_type: 'socket' });
  assert.equal(events.length, 8);
  assert.equal((events[1]!.fields['thrift'] as Obj)['return_value'], '42');
});

test('string_max_size, collection_max_size, obfuscate_strings, capture_reply', () => {
  const base = { ports: [19090] };
  const small = run('thrift_unframed', { ...base, string_max_size: 5, collection_max_size: 2 });
  assert.equal((small[4]!.fields['thrift'] as Obj)['params'], '(1: "hello"...)');
  assert.equal((small[5]!.fields['thrift'] as Obj)['return_value'], '[0, 1, ...]');
  const obf = run('thrift_unframed', { ...base, obfuscate_strings: true });
  assert.equal((obf[4]!.fields['thrift'] as Obj)['params'], '(1: "*")');
  const noReply = run('thrift_unframed', { ...base, capture_reply: false });
  assert.equal(noReply.length, 8);
  assert.equal((noReply[1]!.fields['thrift'] as Obj)['return_value'], undefined);
  assert.deepEqual(noReply.map((e) => e.fields['status']), loadExpected('thrift_unframed').map((e) => e['status']));
  const dropped = run('thrift_unframed', { ...base, drop_after_n_struct_fields: 2 });
  // calculate(1, Work{4 fields}) has more than 2 fields in a struct: both calculate transactions are ignored.
  assert.deepEqual(dropped.map((e) => e.fields['method']), ['ping', 'add', 'echo', 'range', 'zip', 'noSuchMethod']);
});
