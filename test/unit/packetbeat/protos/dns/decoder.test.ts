import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDns, readName } from '../../../../../src/beats/packetbeat/protos/dns/decoder.js';
import { formatIPv6 } from '../../../../../src/beats/packetbeat/protos/dns/rdata.js';
import { seededRandom } from '../../../../support/random.js';
import { message, name, query, u16, u32 } from './build.js';

const ptr = (off: number): Buffer => Buffer.from([0xc0 | (off >> 8), off & 0xff]);
const str = (s: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);

describe('DNS decoder', () => {
  it('decodes the header flags, counts and the question', () => {
    const m = decodeDns(message({ id: 0xbeef, flags: 0x8583, questions: [{ name: 'www.beat.test', type: 28 }] }));
    assert.ok(m);
    assert.equal(m.id, 0xbeef);
    assert.equal(m.response, true);
    assert.equal(m.opcode, 0);
    assert.equal(m.authoritative, true);
    assert.equal(m.recursionDesired, true);
    assert.equal(m.recursionAvailable, true);
    assert.equal(m.rcode, 3);
    assert.deepEqual(m.questions, [{ name: 'www.beat.test', type: 28, class: 1 }]);
    assert.equal(m.error, undefined);
    assert.equal(decodeDns(Buffer.alloc(11)), undefined);
  });

  it('follows compression pointers and rejects loops, forward pointers and overlong names', () => {
    // header (12) + question "beat.test" at 12
    const q = message({ questions: [{ name: 'beat.test', type: 1 }] });
    const withPtr = Buffer.concat([q, str('www'), ptr(12)]);
    assert.deepEqual(readName(withPtr, q.length), { name: 'www.beat.test', next: q.length + 6 });
    const self = Buffer.concat([q, ptr(q.length)]);
    assert.equal(readName(self, q.length), undefined, 'pointer to itself');
    const fwd = Buffer.concat([q, ptr(q.length + 2), str('a'), Buffer.from([0])]);
    assert.equal(readName(fwd, q.length), undefined, 'forward pointer');
    const long = Buffer.concat([...Array.from({ length: 5 }, () => str('x'.repeat(63))), Buffer.from([0])]);
    assert.equal(readName(long, 0), undefined, 'name over 255 bytes');
    assert.equal(readName(Buffer.from([0x40, 1]), 0), undefined, 'extended label type');
    assert.deepEqual(readName(Buffer.from([0]), 0), { name: '.', next: 1 });
    assert.equal(readName(Buffer.concat([str('a.b'), str('\\'), str('x y'), Buffer.from([0])]), 0)?.name, 'a\\.b.\\\\.x\\032y');
  });

  it('formats the common record types', () => {
    const ans = (type: number, rdata: Buffer, nm = 'beat.test') => ({ name: nm, type, rdata, ttl: 300 });
    const soa = Buffer.concat([name('ns.beat.test'), name('admin.beat.test'), u32(2024010101), u32(3600), u32(600), u32(86400), u32(60)]);
    const m = decodeDns(
      message({
        flags: 0x8180,
        questions: [{ name: 'beat.test', type: 255 }],
        answers: [
          ans(1, Buffer.from([192, 0, 2, 1])),
          ans(28, Buffer.from('20010db8000000000000000000000001', 'hex')),
          ans(5, Buffer.concat([str('www'), ptr(12)])),
          ans(2, name('ns.beat.test')),
          ans(12, name('host.beat.test'), '1.2.0.192.in-addr.arpa'),
          ans(15, Buffer.concat([u16(10), name('mail.beat.test')])),
          ans(16, Buffer.concat([str('v=spf1 -all'), str('second')])),
          ans(33, Buffer.concat([u16(0), u16(5), u16(80), name('www.beat.test')])),
          ans(6, soa),
          ans(257, Buffer.concat([Buffer.from([0]), str('issue'), Buffer.from('ca.test')])),
          ans(13, Buffer.concat([str('x86'), str('linux')])),
          ans(43, Buffer.concat([u16(12345), Buffer.from([8, 2]), Buffer.from('abcd', 'hex')])),
          ans(999, Buffer.from('cafe', 'hex')),
        ],
        additionals: [{ name: '.', type: 41, class: 4096, ttl: 0x00008000, rdata: Buffer.concat([u16(10), u16(2), Buffer.from('0102', 'hex')]) }],
      }),
    );
    assert.ok(m);
    assert.equal(m.error, undefined);
    assert.deepEqual(
      m.answers.map((r) => r.data),
      [
        '192.0.2.1',
        '2001:db8::1',
        'www.beat.test',
        'ns.beat.test',
        'host.beat.test',
        '10 mail.beat.test',
        ['v=spf1 -all', 'second'],
        '0 5 80 www.beat.test',
        'ns.beat.test admin.beat.test 2024010101 3600 600 86400 60',
        '0 issue "ca.test"',
        '"x86" "linux"',
        '12345 8 2 ABCD',
        '\\# 2 cafe',
      ],
    );
    assert.equal(m.answers[4]?.name, '1.2.0.192.in-addr.arpa');
    assert.equal(m.additionals[0]?.data, 'version 0, udp 4096, do true, cookie=0102');
  });

  it('formats IPv6 addresses the RFC 5952 way', () => {
    const v6 = (h: string) => formatIPv6(Buffer.from(h, 'hex'));
    assert.equal(v6('fd000000000000000000000000000010'), 'fd00::10');
    assert.equal(v6('00000000000000000000000000000001'), '::1');
    assert.equal(v6('00000000000000000000000000000000'), '::');
    assert.equal(v6('20010db8000000010000000000000001'), '2001:db8:0:1::1');
    assert.equal(v6('20010db8000100010001000100010001'), '2001:db8:1:1:1:1:1:1');
    assert.equal(v6('20010db8000000000001000000000001'), '2001:db8::1:0:0:1');
    assert.equal(v6('00000000000000000000ffffc0000201'), '::ffff:192.0.2.1');
  });

  it('keeps what it decoded from a message cut short and says why', () => {
    const full = message({
      flags: 0x8180,
      questions: [{ name: 'a.test', type: 1 }],
      answers: [1, 2].map((i) => ({ name: 'a.test', type: 1, rdata: Buffer.from([10, 0, 0, i]) })),
    });
    const m = decodeDns(full.subarray(0, full.length - 3));
    assert.ok(m);
    assert.equal(m.answers.length, 1);
    assert.equal(m.ancount, 2);
    assert.match(m.error ?? '', /cut short/);
    const badQ = decodeDns(Buffer.concat([query(1, 'x.test').subarray(0, 12), Buffer.from([5, 0x61])]));
    assert.equal(badQ?.error, 'bad question');
  });

  it('never throws or hangs on random and bit-flipped messages (seeded fuzz)', () => {
    const seed = 0xd15;
    const rnd = seededRandom(seed);
    const base = message({
      flags: 0x8180,
      questions: [{ name: 'x.beat.test', type: 15 }],
      answers: [{ name: Buffer.concat([str('x'), ptr(14)]), type: 15, rdata: Buffer.concat([u16(1), str('mail'), ptr(14)]) }],
      additionals: [{ name: '.', type: 41, class: 1232, rdata: Buffer.alloc(0) }],
    });
    const t0 = Date.now();
    for (let round = 0; round < 20000; round++) {
      let b: Buffer;
      if (round % 2 === 0) {
        b = Buffer.from(base);
        for (let k = 0; k < 1 + rnd() * 6; k++) {
          const at = Math.floor(rnd() * b.length);
          b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
        }
      } else b = Buffer.from(Array.from({ length: Math.floor(rnd() * 120) }, () => Math.floor(rnd() * 256)));
      try {
        decodeDns(b);
      } catch (e) {
        assert.fail(`seed ${seed} round ${round}: ${String(e)}`);
      }
    }
    assert.ok(Date.now() - t0 < 10_000);
  });
});
