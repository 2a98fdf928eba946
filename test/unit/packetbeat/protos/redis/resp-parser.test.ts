import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespParser, type RespMessage } from '../../../../../src/beats/packetbeat/protos/redis/resp-parser.js';
import { renderValue, toCommand } from '../../../../../src/beats/packetbeat/protos/redis/format.js';
import { seededRandom } from '../../../../support/random.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function parseAll(chunks: Buffer[], inline: boolean): { msgs: RespMessage[]; p: RespParser } {
  const p = new RespParser({ inline });
  const msgs: RespMessage[] = [];
  chunks.forEach((c, i) => msgs.push(...p.feed(c, i)));
  return { msgs, p };
}

const REPLIES =
  '+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*3\r\n$1\r\na\r\n$-1\r\n*2\r\n:1\r\n:2\r\n*-1\r\n*0\r\n' +
  '%2\r\n+k1\r\n:1\r\n+k2\r\n#t\r\n~1\r\n,3.5\r\n_\r\n(12345678901234567890\r\n=9\r\ntxt:hello\r\n!5\r\nboom!\r\n' +
  '|1\r\n+ttl\r\n:3\r\n$2\r\nhi\r\n>2\r\n+message\r\n$1\r\nx\r\n';

const RENDERED = [
  'OK', 'ERR wrong', '42', 'hello', 'nil', '[a, nil, [1, 2]]', 'nil', '[]', '{k1: 1, k2: true}', '[3.5]', 'nil',
  '12345678901234567890', 'hello', 'boom!', 'hi', '[message, x]',
];

test('RESP2 and RESP3 replies decode to the values Packetbeat shows', () => {
  const { msgs, p } = parseAll([b(REPLIES)], false);
  assert.equal(p.error, undefined);
  assert.deepEqual(msgs.map((m) => renderValue(m.value)), RENDERED);
  assert.deepEqual(
    msgs.map((m) => m.value.type),
    ['status', 'error', 'integer', 'bulk', 'nil', 'array', 'nil', 'array', 'map', 'set', 'nil', 'bignum', 'verbatim', 'error', 'bulk', 'push'],
  );
  // Byte counts add up to the whole stream (the attribute's bytes are not a message of their own).
  const attr = '|1\r\n+ttl\r\n:3\r\n'.length;
  assert.equal(msgs.reduce((n, m) => n + m.bytes, 0), REPLIES.length - attr);
});

test('every split point of the reply stream gives the same messages', () => {
  const whole = b(REPLIES);
  for (let cut = 1; cut < whole.length; cut++) {
    const { msgs, p } = parseAll([whole.subarray(0, cut), whole.subarray(cut)], false);
    assert.equal(p.error, undefined, `cut ${cut}`);
    assert.deepEqual(msgs.map((m) => renderValue(m.value)), RENDERED, `cut ${cut}`);
  }
  // And byte by byte.
  const bytes = [...whole].map((x) => Buffer.from([x]));
  assert.deepEqual(parseAll(bytes, false).msgs.map((m) => renderValue(m.value)), RENDERED);
});

test('requests: multibulk and inline commands, pipelines, empty inline lines skipped', () => {
  const stream = b('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva lu\r\nget  key\r\n\r\n*1\r\n$4\r\nPING\r\nPING\r\n');
  for (let cut = 0; cut <= stream.length; cut++) {
    const { msgs, p } = parseAll([stream.subarray(0, cut), stream.subarray(cut)], true);
    assert.equal(p.error, undefined);
    assert.deepEqual(
      msgs.map((m) => toCommand(m.value)?.query),
      ['SET key va lu', 'GET key', 'PING', 'PING'],
      `cut ${cut}`,
    );
    assert.equal(msgs.reduce((n, m) => n + m.bytes, 0), stream.length - 2, `cut ${cut}`);
  }
});

test('AUTH, HELLO AUTH, MIGRATE AUTH and CONFIG SET requirepass never show the password', () => {
  const cmd = (...w: string[]): string => {
    const v = { type: 'array' as const, size: w.length, items: w.map((x) => ({ type: 'bulk' as const, size: x.length, text: x })) };
    return toCommand(v)!.query;
  };
  assert.equal(cmd('auth', 's3cret'), 'AUTH ****');
  assert.equal(cmd('AUTH', 'alice', 's3cret'), 'AUTH alice ****');
  assert.equal(cmd('HELLO', '3', 'AUTH', 'alice', 's3cret', 'SETNAME', 'x'), 'HELLO 3 AUTH alice **** SETNAME x');
  assert.equal(cmd('MIGRATE', 'h', '1', 'k', '0', '5', 'AUTH', 's3cret'), 'MIGRATE h 1 k 0 5 AUTH ****');
  assert.equal(cmd('MIGRATE', 'h', '1', 'k', '0', '5', 'AUTH2', 'u', 's3cret'), 'MIGRATE h 1 k 0 5 AUTH2 u ****');
  assert.equal(cmd('CONFIG', 'SET', 'requirepass', 's3cret'), 'CONFIG SET requirepass ****');
  assert.equal(cmd('ACL', 'SETUSER', 'bob', 'on', '>s3cret'), 'ACL SETUSER bob on ****');
  // Inline AUTH too.
  const { msgs } = parseAll([b('AUTH s3cret\r\n')], true);
  assert.equal(toCommand(msgs[0]!.value)!.query, 'AUTH ****');
});

test('huge declared lengths allocate nothing and values stay bounded', () => {
  const p = new RespParser({ inline: false });
  assert.deepEqual(p.feed(b('$2000000000\r\n'), 0), []);
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 8; i++) p.feed(chunk, 0);
  assert.equal(p.error, undefined);
  assert.ok(p.midMessage);
  const q = new RespParser({ inline: false });
  const big = Buffer.concat([b('$100000\r\n'), Buffer.alloc(100000, 0x62), b('\r\n')]);
  const [m] = q.feed(big, 0);
  assert.equal(m!.value.size, 100000);
  assert.ok(m!.value.text!.length <= 4096);
  assert.equal(m!.value.cut, true);
  assert.equal(m!.bytes, big.length);
  // An array that claims a billion elements is just counted down.
  const r = new RespParser({ inline: false });
  r.feed(b('*1000000000\r\n' + ':1\r\n'.repeat(10000)), 0);
  assert.equal(r.error, undefined);
});

test('protocol errors are reported, never thrown, and reset recovers', () => {
  for (const bad of ['?oops\r\n', '$abc\r\n', '*-5\r\n', ':12x\r\n', '#x\r\n', '\r\n']) {
    const p = new RespParser({ inline: false });
    assert.deepEqual(p.feed(b(bad), 0), []);
    assert.notEqual(p.error, undefined, bad);
    p.reset();
    assert.equal(renderValue(p.feed(b('+OK\r\n'), 0)[0]!.value), 'OK');
  }
  const deep = new RespParser({ inline: false });
  deep.feed(b('*1\r\n'.repeat(100)), 0);
  assert.equal(deep.error, 'nesting too deep');
  const long = new RespParser({ inline: true });
  long.feed(Buffer.alloc(70 * 1024, 0x61), 0);
  assert.equal(long.error, 'line too long');
});

test('fuzz: random and bit-flipped streams never throw and always terminate', () => {
  const rnd = seededRandom(8);
  const base = b(REPLIES + '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
  for (let round = 0; round < 3000; round++) {
    const buf = Buffer.from(base);
    if (round % 2 === 0) for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) {
        const j = Math.floor(rnd() * buf.length);
        buf[j] = buf[j]! ^ (1 << Math.floor(rnd() * 8));
      }
    else for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
    for (const inline of [true, false]) {
      const p = new RespParser({ inline });
      let pos = 0;
      while (pos < buf.length) {
        const n = 1 + Math.floor(rnd() * 16);
        const msgs = p.feed(buf.subarray(pos, pos + n), pos);
        for (const m of msgs) {
          renderValue(m.value);
          toCommand(m.value);
        }
        if (p.error !== undefined) p.reset();
        pos += n;
      }
    }
  }
});
