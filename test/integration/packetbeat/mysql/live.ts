// Live sniffing for the SQL protocol tests: tcpdump on `lo` feeding the real engine with the builtin protocols,
// while `action` makes a real client talk to a real server.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../src/libbeat/logp/logger.js';
import { builtinProtocols } from '../../../../src/beats/packetbeat/protos/builtin.js';
import { PacketEngine } from '../../../../src/beats/packetbeat/sniffer/engine.js';
import { buildProtocols } from '../../../../src/beats/packetbeat/sniffer/protocols.js';
import { hasCaptureRights, TcpdumpSource } from '../../../../src/beats/packetbeat/source/tcpdump.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why live sniffing cannot run here, or undefined when it can. */
export async function liveSkipReason(port: number, what: string): Promise<string | undefined> {
  if (!hasCaptureRights()) return 'live capture needs root or CAP_NET_RAW';
  if (spawnSync('tcpdump', ['--version']).status !== 0) return 'tcpdump not installed';
  const up = await new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(2000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
  return up ? undefined : `${what} not reachable at 127.0.0.1:${port}`;
}

/** Opens and closes a TCP connection to 127.0.0.1:port (no data: no transaction). */
function probe(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    const end = (): void => {
      s.destroy();
      resolve();
    };
    s.once('connect', () => setTimeout(end, 50));
    s.once('error', end);
    s.once('timeout', end);
  });
}

/** Sniffs `lo` (filter `tcp port <port>`) while `action` runs; returns the transaction events. */
export async function sniffWhile(protocols: Record<string, Record<string, unknown>>, port: number, action: () => Promise<void>): Promise<BeatEvent[]> {
  const events: BeatEvent[] = [];
  let engine: PacketEngine | undefined;
  const built = buildProtocols(builtinProtocols(), new ConfigNode(protocols, 'test', 'protocols'), {
    log: nopLogger,
    now: () => engine?.clock ?? 0,
    report: (e) => events.push(e),
  });
  engine = new PacketEngine(built, { log: nopLogger });
  const eng = engine;
  const src = new TcpdumpSource({ device: 'lo', snaplen: 65535, bufferSizeMb: 8, filter: `tcp port ${port}`, log: nopLogger });
  let packets = 0;
  const done = src.run((p) => {
    packets++;
    eng.packet(p);
  });
  // tcpdump takes a moment (longer on a busy box) before it captures: poke the port until packets show up
  for (let waited = 0; packets === 0 && waited < 15_000; waited += 300) {
    await probe(port);
    await sleep(300);
  }
  if (packets === 0) throw new Error(`tcpdump on lo saw no packet of port ${port} within 15 s`);
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

export function run(cmd: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
