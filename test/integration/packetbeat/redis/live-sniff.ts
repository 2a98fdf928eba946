// Live sniffing for the redis and memcache tests: tcpdump on `lo` feeding the real engine with the builtin
// protocols while `action` makes a real client talk to a real server.
import { spawnSync } from 'node:child_process';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../src/libbeat/logp/logger.js';
import { builtinProtocols } from '../../../../src/beats/packetbeat/protos/builtin.js';
import { PacketEngine } from '../../../../src/beats/packetbeat/sniffer/engine.js';
import { buildProtocols } from '../../../../src/beats/packetbeat/sniffer/protocols.js';
import { hasCaptureRights, TcpdumpSource } from '../../../../src/beats/packetbeat/source/tcpdump.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why live capture cannot run here, or undefined when it can. */
export function captureSkipReason(): string | undefined {
  if (!hasCaptureRights()) return 'live capture needs root or CAP_NET_RAW';
  if (spawnSync('tcpdump', ['--version']).status !== 0) return 'tcpdump is not installed';
  return undefined;
}

/** Sniffs `lo` with `filter` while `action` runs; returns the transaction events. */
export async function sniffWhile(
  protocols: Record<string, Record<string, unknown>>,
  filter: string,
  action: () => Promise<void>,
): Promise<BeatEvent[]> {
  const events: BeatEvent[] = [];
  let engine: PacketEngine | undefined;
  const built = buildProtocols(builtinProtocols(), new ConfigNode(protocols, 'test', 'protocols'), {
    log: nopLogger,
    now: () => engine?.clock ?? 0,
    report: (e) => events.push(e),
  });
  engine = new PacketEngine(built, { log: nopLogger });
  const eng = engine;
  const src = new TcpdumpSource({ device: 'lo', snaplen: 262144, bufferSizeMb: 8, filter, log: nopLogger });
  const done = src.run((p) => eng.packet(p));
  await sleep(1500); // tcpdump needs a moment before it captures
  try {
    await action();
    await sleep(1000);
  } finally {
    src.stop();
    await done;
  }
  eng.finish();
  return events;
}
