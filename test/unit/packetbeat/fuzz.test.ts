import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { CaptureParser, type CapturedPacket } from '../../../src/beats/packetbeat/pcap/reader.js';
import { buildPcap } from '../../../src/beats/packetbeat/pcap/writer.js';
import { PacketEngine } from '../../../src/beats/packetbeat/sniffer/engine.js';
import { buildProtocols } from '../../../src/beats/packetbeat/sniffer/protocols.js';
import { builtinProtocols } from '../../../src/beats/packetbeat/protos/builtin.js';
import type { Protocol } from '../../../src/beats/packetbeat/protos/protocol.js';
import { testProtocols } from '../../support/packetbeat/test-protocols.js';
import { seeded } from '../../support/packetbeat/rng.js';

const CAPTURES = '/work/shared/captures';
const PORTS: Record<string, number[]> = {
  http: [18080],
  mysql: [13306],
  pgsql: [15432],
  redis: [16379],
  memcache: [21211],
  dns: [15353],
  thrift: [19090, 19091],
  mongodb: [27017],
};

function load(): { name: string; packets: CapturedPacket[]; bytes: Buffer }[] {
  let files: string[];
  try {
    files = readdirSync(CAPTURES).filter((f) => f.endsWith('.pcap'));
  } catch {
    return [];
  }
  return files.map((f) => {
    const bytes = readFileSync(join(CAPTURES, f));
    const packets: CapturedPacket[] = [];
    new CaptureParser().push(bytes, (p) => packets.push(p));
    return { name: f, packets, bytes };
  });
}

/** The builtin protocols that are implemented (placeholders throw at creation), plus the engine test protocols. */
function protocolsFor(report: () => void): { protos: Protocol[]; builtins: string[] } {
  const builtins: string[] = [];
  const protos: Protocol[] = [];
  const reg = builtinProtocols();
  for (const name of reg.names()) {
    try {
      protos.push(...buildProtocols(reg, new ConfigNode({ [name]: { ports: PORTS[name] ?? [] } }, 'fuzz', 'protocols'), { log: nopLogger, now: () => 0, report }));
      builtins.push(name);
    } catch {
      // not implemented yet
    }
  }
  const tcpPorts = new Set(protos.flatMap((p) => ('parse' in p ? [...p.ports] : [])));
  const streamPorts = Object.values(PORTS).flat().filter((p) => !tcpPorts.has(p));
  const udpPorts = new Set(protos.flatMap((p) => ('parseUdp' in p ? [...p.ports] : [])));
  protos.push(
    ...buildProtocols(
      testProtocols(),
      new ConfigNode({ streams: { ports: streamPorts }, datagrams: { ports: [15353, 21211].filter((p) => !udpPorts.has(p)) } }, 'fuzz', 'protocols'),
      { log: nopLogger, now: () => 0, report },
    ),
  );
  return { protos, builtins };
}

function mutate(packets: CapturedPacket[], rnd: () => number): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  for (const p of packets) {
    const r = rnd();
    if (r < 0.05) continue; // drop
    let data = p.data;
    if (r < 0.25) {
      data = Buffer.from(data);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < flips; i++) data[Math.floor(rnd() * data.length)]! ^= 1 << Math.floor(rnd() * 8);
    } else if (r < 0.3) {
      data = data.subarray(0, Math.floor(rnd() * data.length));
    }
    out.push({ ...p, data });
    if (rnd() < 0.05) out.push({ ...p, data }); // duplicate
  }
  // reorder: swap neighbours now and then
  for (let i = 1; i < out.length; i++) if (rnd() < 0.1) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
  return out;
}

const captures = load();

test('fuzz: mutated shared captures never crash the engine; its buffers stay bounded', (t) => {
  if (captures.length === 0) return t.skip('shared captures not present');
  const rnd = seeded(1234);
  let events = 0;
  const { builtins } = protocolsFor(() => {});
  t.diagnostic(`builtin protocols fuzzed: ${builtins.join(', ') || 'none yet'} (+ engine test protocols)`);
  for (let round = 0; round < 40; round++) {
    for (const c of captures) {
      const { protos } = protocolsFor(() => void events++);
      const engine = new PacketEngine(protos, { log: nopLogger, tcp: { maxConnections: 64, maxBufferedBytes: 1 << 20 } });
      for (const p of mutate(c.packets, rnd)) {
        engine.packet(p);
        assert.ok(engine.tcp.size <= 64);
        assert.ok(engine.tcp.budget.used <= (1 << 20) + 262144);
        assert.ok(engine.decoder.defrag.bufferedBytes <= 4 * 1024 * 1024);
      }
      engine.finish();
      assert.equal(engine.tcp.size, 0);
      assert.equal(engine.tcp.budget.used, 0);
    }
  }
  assert.ok(events > 0);
});

test('fuzz: truncated and bit-flipped capture files never throw in the reader', (t) => {
  if (captures.length === 0) return t.skip('shared captures not present');
  const rnd = seeded(99);
  for (const c of captures) {
    for (let i = 0; i < 30; i++) {
      const b = Buffer.from(c.bytes.subarray(0, Math.floor(rnd() * c.bytes.length)));
      for (let k = 0; k < 3; k++) if (b.length > 0) b[Math.floor(rnd() * b.length)]! ^= 0xff;
      const parser = new CaptureParser();
      const { protos } = protocolsFor(() => {});
      const engine = new PacketEngine(protos, { log: nopLogger });
      parser.push(b, (p) => engine.packet(p));
      engine.finish();
    }
  }
});

test('fuzz: a long stream of reordered segments keeps memory flat', (t) => {
  if (captures.length === 0) return t.skip('shared captures not present');
  const http = captures.find((c) => c.name === 'redis.pcap') ?? captures[0]!;
  const rnd = seeded(5);
  const { protos } = protocolsFor(() => {});
  const engine = new PacketEngine(protos, { log: nopLogger });
  const before = process.memoryUsage().heapUsed;
  let maxBuffered = 0;
  for (let round = 0; round < 200; round++) {
    // shift timestamps so each round is a later, separate capture period
    for (const p of mutate(http.packets, rnd)) {
      engine.packet({ ...p, ts: p.ts + round * 200_000 });
      maxBuffered = Math.max(maxBuffered, engine.tcp.budget.used);
    }
  }
  engine.finish();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(engine.tcp.size === 0);
  assert.ok(maxBuffered <= 64 * 1024 * 1024);
  assert.ok(grown < 200 * 1024 * 1024, `heap grew by ${grown}`);
  void buildPcap;
});
