import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdlSyntaxError, parseIdl } from '../../../../../src/beats/packetbeat/protos/thrift/idl.js';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { createThriftProtocol } from '../../../../../src/beats/packetbeat/protos/thrift/index.js';

const IDL = `
/* A larger IDL: comments of all kinds, namespaces, includes, consts, typedefs, annotations, implicit ids. */
namespace py shared.tutorial  # trailing comment
include "shared.thrift"
const i32 MAX = 10;
const map<string, list<i32>> M = { "a": [1, 2], 'b': [] }
typedef list<Work> Works
typedef i64 Timestamp
enum Color { RED = 1, GREEN, BLUE = 0x10 (x = "y") }
struct Work {
  1: required i32 num1 = 0,
  2: optional string comment (note = "free text");
  3: map<string, Work> children
  Timestamp at
}
union Either { 1: string s 2: i64 n }
exception Oops { 1: string why }
service Base { void ping() }
service Calc extends Base {
  i32 add(1: i32 a, 2: i32 b) throws (1: Oops e),
  Works all(1: set<Color> colors);
  oneway void fire(1: Works w)
  binary blob() (deprecated = "true")
}
`;

test('the IDL parser reads services, methods, fields and types', () => {
  const idl = parseIdl(IDL);
  assert.deepEqual([...idl.structs.keys()], ['Work', 'Either', 'Oops']);
  const work = idl.structs.get('Work')!;
  assert.deepEqual([...work.values()].map((f) => [f.id, f.name]), [[1, 'num1'], [2, 'comment'], [3, 'children'], [-1, 'at']]);
  assert.deepEqual(work.get(3)!.type, { kind: 'map', key: { kind: 'base', name: 'string' }, value: { kind: 'named', name: 'Work' } });
  assert.equal(idl.methods.get('ping')!.service, 'Base');
  const add = idl.methods.get('add')!;
  assert.deepEqual([add.service, add.oneway, [...add.params.values()].map((f) => f.name), add.throws.get(1)!.name], ['Calc', false, ['a', 'b'], 'e']);
  assert.equal(idl.methods.get('fire')!.oneway, true);
  assert.deepEqual(idl.methods.get('all')!.returns, { kind: 'named', name: 'Works' });
  assert.deepEqual(idl.typedefs.get('Works'), { kind: 'list', elem: { kind: 'named', name: 'Work' } });
  assert.ok(idl.methods.has('blob'));
});

test('IDL syntax errors name the line', () => {
  assert.throws(() => parseIdl('struct A {\n 1: i32 x,\n 2: ;\n}'), (e: unknown) => e instanceof IdlSyntaxError && e.line === 3);
  assert.throws(() => parseIdl('service S { void f( }'), IdlSyntaxError);
  assert.throws(() => parseIdl('struct "x"'), IdlSyntaxError);
  assert.throws(() => parseIdl('const string s = "open'), IdlSyntaxError);
  assert.throws(() => parseIdl('struct A { 1: i32 x'), IdlSyntaxError);
});

test('thrift config: idl_files errors and option checks are ConfigErrors', () => {
  const ctx = { report: (): void => undefined, log: nopLogger, now: (): number => 0 };
  const dir = mkdtempSync(join(tmpdir(), 'idl-'));
  try {
    const bad = join(dir, 'bad.thrift');
    writeFileSync(bad, 'service S {\n  void f(\n');
    assert.throws(() => createThriftProtocol(new ConfigNode({ idl_files: [bad] }), ctx), (e: unknown) => e instanceof ConfigError && /bad\.thrift line 2: unexpected end of file/.test(e.message));
    assert.throws(() => createThriftProtocol(new ConfigNode({ idl_files: [join(dir, 'missing.thrift')] }), ctx), /ENOENT/);
    assert.throws(() => createThriftProtocol(new ConfigNode({ transport_type: 'http' }), ctx), ConfigError);
    assert.throws(() => createThriftProtocol(new ConfigNode({ protocol_type: 'compact' }), ctx), ConfigError);
    assert.throws(() => createThriftProtocol(new ConfigNode({ string_max_size: -1 }), ctx), ConfigError);
    const good = join(dir, 'good.thrift');
    writeFileSync(good, IDL);
    assert.deepEqual(createThriftProtocol(new ConfigNode({ idl_files: [good] }), ctx).ports, [9090]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
