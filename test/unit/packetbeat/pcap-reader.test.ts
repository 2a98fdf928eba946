import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CaptureParser, type CapturedPacket } from '../../../src/beats/packetbeat/pcap/reader.js';
import { buildPcap, buildPcapng, PcapWriter } from '../../../src/beats/packetbeat/pcap/writer.js';
import { seeded } from '../../support/packetbeat/rng.js';

const packets = [
  { ts: 1_700_000_000_123.456, data: Buffer.from('first frame') },
  { ts: 1_700_000_001_000, data: Buffer.alloc(3000, 7) },
  { ts: 1_700_000_002_500.001, data: Buffer.from('x') },
];

function parseAll(bytes: Buffer, chunk = bytes.length): { parser: CaptureParser; out: CapturedPacket[] } {
  const parser = new CaptureParser();
  const out: CapturedPacket[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parser.push(Buffer.from(bytes.subarray(i, i + chunk)), (p) => out.push(p));
  return { parser, out };
}

function check(out: CapturedPacket[], linkType: number): void {
  assert.equal(out.length, packets.length);
  out.forEach((p, i) => {
    assert.equal(p.linkType, linkType);
    assert.ok(Math.abs(p.ts - packets[i]!.ts) < 0.002, `ts ${p.ts} vs ${packets[i]!.ts}`);
    assert.deepEqual(p.data, packets[i]!.data);
  });
}

test('classic pcap, read whole and one byte at a time', () => {
  const bytes = buildPcap(1, packets);
  for (const chunk of [bytes.length, 1, 7, 100]) {
    const { parser, out } = parseAll(bytes, chunk);
    assert.equal(parser.format, 'pcap');
    assert.equal(parser.error, undefined);
    assert.equal(parser.pendingBytes, 0);
    check(out, 1);
  }
});

test('big-endian and nanosecond pcap', () => {
  const le = buildPcap(113, packets);
  // rewrite as big-endian nanosecond
  const be = Buffer.alloc(le.length);
  be.writeUInt32BE(0xa1b23c4d, 0);
  be.writeUInt16BE(2, 4);
  be.writeUInt16BE(4, 6);
  be.writeUInt32BE(262144, 16);
  be.writeUInt32BE(113, 20);
  let pos = 24;
  while (pos < le.length) {
    const sec = le.readUInt32LE(pos);
    const usec = le.readUInt32LE(pos + 4);
    const incl = le.readUInt32LE(pos + 8);
    be.writeUInt32BE(sec, pos);
    be.writeUInt32BE(usec * 1000, pos + 4);
    be.writeUInt32BE(incl, pos + 8);
    be.writeUInt32BE(le.readUInt32LE(pos + 12), pos + 12);
    le.copy(be, pos + 16, pos + 16, pos + 16 + incl);
    pos += 16 + incl;
  }
  const { out } = parseAll(be, 5);
  check(out, 113);
});

test('pcapng little and big endian, split reads', () => {
  for (const bigEndian of [false, true]) {
    const bytes = buildPcapng(1, packets, bigEndian);
    for (const chunk of [bytes.length, 3, 64]) {
      const { parser, out } = parseAll(bytes, chunk);
      assert.equal(parser.format, 'pcapng');
      assert.equal(parser.error, undefined);
      check(out, 1);
    }
  }
});

test('pcapng if_tsresol (nanoseconds) is honoured', () => {
  const bytes = buildPcapng(1, [{ ts: 0, data: Buffer.from('a') }]);
  // replace IDB (offset 28, 20 bytes) with one carrying if_tsresol=9 and set the timestamp to 1.5e18 ns
  const idb = Buffer.alloc(28);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(28, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(65535, 12);
  idb.writeUInt16LE(9, 16);
  idb.writeUInt16LE(1, 18);
  idb[20] = 9;
  idb.writeUInt32LE(28, 24);
  const epb = Buffer.from(bytes.subarray(48));
  const ns = 1_500_000_000_000_000_000n;
  epb.writeUInt32LE(Number(ns >> 32n), 12);
  epb.writeUInt32LE(Number(ns & 0xffffffffn), 16);
  const { out } = parseAll(Buffer.concat([bytes.subarray(0, 28), idb, epb]));
  assert.equal(out.length, 1);
  assert.ok(Math.abs(out[0]!.ts - 1_500_000_000_000) < 1);
});

test('the shared captures parse completely', (t) => {
  let bytes: Buffer;
  try {
    bytes = readFileSync('/work/shared/captures/http.pcap');
  } catch {
    return t.skip('shared captures not present');
  }
  const { parser, out } = parseAll(bytes, 4096);
  assert.equal(parser.error, undefined);
  assert.equal(parser.pendingBytes, 0);
  assert.equal(out.length, 76); // tcpdump -r http.pcap | wc -l
  assert.equal(parser.linkType, 1);
});

test('not a capture: error, no packets, no throw', () => {
  const { parser, out } = parseAll(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.match(parser.error ?? '', /not a pcap/);
  assert.equal(out.length, 0);
});

test('corrupt record length stops parsing with an error', () => {
  const bytes = buildPcap(1, packets);
  bytes.writeUInt32LE(0x7fffffff, 24 + 8);
  const { parser, out } = parseAll(bytes);
  assert.equal(out.length, 0);
  assert.match(parser.error ?? '', /corrupt/);
});

test('random garbage and truncations never throw', () => {
  const rnd = seeded(42);
  const good = [buildPcap(1, packets), buildPcapng(1, packets)];
  for (let i = 0; i < 2000; i++) {
    const base = Buffer.from(good[i % 2]!);
    const n = 1 + Math.floor(rnd() * 8);
    for (let k = 0; k < n; k++) base[Math.floor(rnd() * base.length)] = Math.floor(rnd() * 256);
    const cut = base.subarray(0, Math.floor(rnd() * base.length) + 1);
    const { out } = parseAll(cut, 1 + Math.floor(rnd() * 50));
    for (const p of out) assert.ok(p.data.length <= cut.length);
  }
});

test('PcapWriter round-trips', () => {
  const chunks: Buffer[] = [];
  const w = new PcapWriter((b) => chunks.push(b));
  for (const p of packets) w.write({ ts: p.ts, linkType: 1, data: p.data, origLen: p.data.length });
  w.write({ ts: 0, linkType: 113, data: Buffer.from('other link type'), origLen: 15 });
  const { out } = parseAll(Buffer.concat(chunks));
  check(out, 1);
});

test('file reader: records larger than the read size and a truncated tail', async () => {
  const { writeFileSync } = await import('node:fs');
  const { replayFile } = await import('../../../src/beats/packetbeat/source/file.js');
  const { writeTempCapture } = await import('../../support/packetbeat/temp-pcap.js');
  const frames = [Buffer.alloc(5000, 1), Buffer.alloc(10, 2), Buffer.alloc(200_000, 3), Buffer.alloc(64, 4)];
  const file = writeTempCapture(1, frames);
  for (const chunkSize of [1000, 4096, 65536]) {
    const got: number[] = [];
    const n = await replayFile(file, (p) => void got.push(p.data.length), { topSpeed: true, loops: 1, chunkSize });
    assert.equal(n, 4);
    assert.deepEqual(got, [5000, 10, 200_000, 64]);
  }
  const truncated = file + '.cut.pcap';
  writeFileSync(truncated, readFileSync(file).subarray(0, 24 + 16 + 5000 + 16 + 5));
  const warnings: string[] = [];
  const n = await replayFile(truncated, () => {}, { topSpeed: true, loops: 1, chunkSize: 1000 }, (w) => warnings.push(w));
  assert.equal(n, 1);
  assert.match(warnings.join(), /truncated record/);
});
