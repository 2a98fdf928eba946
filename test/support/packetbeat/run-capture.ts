import type { BeatEvent } from '../../../src/libbeat/common/event.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { nopLogger, type Logger } from '../../../src/libbeat/logp/logger.js';
import { builtinProtocols } from '../../../src/beats/packetbeat/protos/builtin.js';
import type { ProtocolRegistry } from '../../../src/beats/packetbeat/protos/registry.js';
import { PacketEngine, type EngineOptions } from '../../../src/beats/packetbeat/sniffer/engine.js';
import { buildProtocols } from '../../../src/beats/packetbeat/sniffer/protocols.js';
import { enrichTransaction, localAddresses } from '../../../src/beats/packetbeat/sniffer/enrich.js';
import { replayFile } from '../../../src/beats/packetbeat/source/file.js';

export interface RunCaptureOptions {
  /** `shipper.ignore_outgoing`. */
  ignoreOutgoing?: boolean;
}

export interface RunCaptureWithOptions extends RunCaptureOptions {
  log?: Logger;
  /** Engine limits (TCP timeouts, buffers) for tests of the engine itself. */
  engine?: Omit<EngineOptions, 'log'>;
  /** Read size of the file reader. */
  chunkSize?: number;
  /** Called with the engine once the file is read, before the end-of-input flush. */
  inspect?: (engine: PacketEngine) => void;
}

/**
 * Runs a capture file through the engine with the builtin protocols configured as in `protocols`
 * (`{ http: { ports: [18080] } }`) and returns every transaction event in publish order, including the ones
 * flushed at the end of the file.
 */
export async function runCapture(
  pcapFile: string,
  protocols: Record<string, Record<string, unknown>>,
  opts?: { ignoreOutgoing?: boolean },
): Promise<BeatEvent[]> {
  return runCaptureWith(builtinProtocols(), pcapFile, protocols, opts ?? {});
}

/** runCapture with any protocol registry (engine tests register their own test protocols). */
export async function runCaptureWith(
  registry: ProtocolRegistry,
  pcapFile: string,
  protocols: Record<string, Record<string, unknown>>,
  opts: RunCaptureWithOptions = {},
): Promise<BeatEvent[]> {
  const events: BeatEvent[] = [];
  const log = opts.log ?? nopLogger;
  const localIps = localAddresses();
  let engine: PacketEngine | undefined;
  const built = buildProtocols(registry, new ConfigNode(protocols, 'test', 'protocols'), {
    log,
    now: () => engine?.clock ?? 0,
    report: (e) => {
      if (enrichTransaction(e, { localIps, ignoreOutgoing: opts.ignoreOutgoing ?? false })) events.push(e);
    },
  });
  engine = new PacketEngine(built, { log, ...opts.engine });
  const eng = engine;
  await replayFile(pcapFile, (p) => eng.packet(p), { topSpeed: true, loops: 1, ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}) });
  opts.inspect?.(eng);
  eng.finish();
  return events;
}
