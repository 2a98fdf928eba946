import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Beat, Beater } from '../../libbeat/beat/beater.js';
import type { BeatEvent } from '../../libbeat/common/event.js';
import type { PipelineClient } from '../../libbeat/publisher/client.js';
import { readPacketbeatConfig, type PacketbeatConfig } from './config.js';
import { PcapWriter } from './pcap/writer.js';
import type { CapturedPacket } from './pcap/reader.js';
import type { ProtocolRegistry } from './protos/registry.js';
import type { Protocol } from './protos/protocol.js';
import { generateBpfFilter } from './sniffer/bpf.js';
import { PacketEngine } from './sniffer/engine.js';
import { enrichTransaction, localAddresses, type EnrichOptions } from './sniffer/enrich.js';
import { ProcsWatcher } from './sniffer/procs.js';
import { buildProtocols, protocolPorts } from './sniffer/protocols.js';
import { replayFile } from './source/file.js';
import { chooseLiveSource } from './source/libpcap.js';
import { listDevices, resolveDevice, TcpdumpSource, type PacketSource } from './source/tcpdump.js';

/**
 * Packetbeat's main loop: a packet source (a capture file with -I, else live capture) feeding the engine, whose
 * transaction events go to the pipeline. Live: events are dropped when the queue is full (counted), as the sniffer
 * must never stall. File: backpressure instead, and run() ends after every event is acknowledged.
 */
export class PacketbeatBeater implements Beater {
  readonly #beat: Beat;
  readonly #cfg: PacketbeatConfig;
  readonly #protocols: Protocol[];
  readonly #engine: PacketEngine;
  readonly #pending: BeatEvent[] = [];
  #stopped = false;
  #source: PacketSource | undefined;
  #wakeStop: () => void = () => {};

  constructor(beat: Beat, registry: ProtocolRegistry) {
    this.#beat = beat;
    this.#cfg = readPacketbeatConfig(beat.config, beat.flags);
    const live = this.#cfg.interfaces.file === undefined;
    const enrich: EnrichOptions = {
      localIps: localAddresses(),
      ignoreOutgoing: this.#cfg.ignoreOutgoing,
      shipperName: beat.info.name,
      procs: this.#cfg.procs.enabled ? new ProcsWatcher(this.#cfg.procs.monitored, beat.log.child('procs')) : undefined,
    };
    let engine: PacketEngine | undefined;
    this.#protocols = buildProtocols(registry, beat.config.child('protocols'), {
      log: beat.log,
      now: live ? () => Date.now() : () => engine?.clock ?? 0,
      report: (e) => {
        if (enrichTransaction(e, enrich)) this.#pending.push(e);
      },
    });
    if (this.#protocols.length === 0) beat.log.warn('No protocols configured under protocols: nothing will be reported.');
    engine = new PacketEngine(this.#protocols, { log: beat.log.child('sniffer') });
    this.#engine = engine;
  }

  async run(): Promise<void> {
    if (this.#beat.flags['devices'] === true) {
      listDevices().forEach((d, i) => process.stdout.write(`${i}: ${d}\n`));
      return;
    }
    const file = this.#cfg.interfaces.file;
    const client = this.#beat.pipeline.connect(file === undefined ? { dropOnFull: true } : {});
    const dump = this.#openDump();
    try {
      if (file !== undefined) await this.#runFile(file, client, dump?.writer);
      else await this.#runLive(client, dump?.writer);
      this.#engine.finish();
      await this.#drain(client);
      await client.flush();
      this.#logStats();
      if (this.#cfg.waitstopSec > 0 && !this.#stopped) await this.#sleep(this.#cfg.waitstopSec * 1000);
    } finally {
      client.close();
      if (dump) await new Promise<void>((r) => dump.stream.end(r));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#source?.stop();
    this.#wakeStop();
  }

  #openDump(): { stream: WriteStream; writer: PcapWriter } | undefined {
    const path = this.#cfg.interfaces.dumpfile;
    if (path === undefined) return undefined;
    const stream = createWriteStream(path);
    stream.on('error', (err) => this.#beat.log.error('cannot write dump file %s: %s', path, err.message));
    return { stream, writer: new PcapWriter((b) => void stream.write(b)) };
  }

  async #drain(client: PipelineClient): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      for (const e of batch) {
        const w = client.publish(e);
        if (w) await w;
      }
    }
  }

  async #runFile(file: string, client: PipelineClient, dump: PcapWriter | undefined): Promise<void> {
    const i = this.#cfg.interfaces;
    const log = this.#beat.log;
    const engine = this.#engine;
    const onPacket = dump ? (p: CapturedPacket) => (dump.write(p), engine.packet(p)) : (p: CapturedPacket) => engine.packet(p);
    const oneAtATime = i.oneAtATime ? this.#enterReader() : undefined;
    try {
      const n = await replayFile(
        file,
        onPacket,
        {
          topSpeed: i.topSpeed,
          loops: i.loop,
          stopped: () => this.#stopped,
          afterPacket: () => (this.#pending.length > 0 ? this.#drain(client) : undefined),
          ...(oneAtATime ? { beforePacket: oneAtATime.next } : {}),
        },
        (msg) => log.warn(msg),
      );
      log.info('Read %d packets from %s.', n, file);
    } finally {
      oneAtATime?.close();
    }
  }

  async #runLive(client: PipelineClient, dump: PcapWriter | undefined): Promise<void> {
    const i = this.#cfg.interfaces;
    const log = this.#beat.log;
    const filter = i.bpfFilter ?? generateBpfFilter(protocolPorts(this.#protocols), i.withVlans);
    const opts = { device: resolveDevice(i.device), snaplen: i.snaplen, bufferSizeMb: i.bufferSizeMb, filter, log };
    const source = chooseLiveSource(i.source, opts, log, () => new TcpdumpSource(opts));
    this.#source = source;
    const engine = this.#engine;
    const dropped = this.#beat.metrics.counter('packetbeat.events.dropped');
    const publishNow = (): void => {
      for (const e of this.#pending.splice(0)) {
        if (client.publish(e) !== undefined) dropped.inc();
      }
    };
    const timer = setInterval(() => {
      engine.tick(Date.now());
      publishNow();
      this.#updateMetrics();
    }, 1000);
    try {
      if (this.#stopped) return;
      await source.run((p) => {
        dump?.write(p);
        engine.packet(p);
        if (this.#pending.length > 0) publishNow();
      });
    } finally {
      clearInterval(timer);
      this.#source = undefined;
    }
    if (source.stats.received !== undefined) {
      log.info('Capture: %d packets received by filter, %d dropped by kernel.', source.stats.received, source.stats.dropped ?? 0);
    }
  }

  /** `-O`: each next() resolves when the user presses Enter. */
  #enterReader(): { next: () => Promise<void>; close: () => void } {
    const rl = createInterface({ input: process.stdin });
    const waiting: (() => void)[] = [];
    let credit = 0;
    rl.on('line', () => {
      const w = waiting.shift();
      if (w) w();
      else credit++;
    });
    rl.on('close', () => {
      credit = Infinity;
      for (const w of waiting.splice(0)) w();
    });
    return {
      next: () => {
        if (credit > 0) {
          credit--;
          return Promise.resolve();
        }
        process.stderr.write('Press Enter for the next packet\n');
        return new Promise<void>((r) => waiting.push(r));
      },
      close: () => rl.close(),
    };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wakeStop = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Engine counters as gauges (absolute values) on the stats endpoint and in the periodic metrics log line. */
  #updateMetrics(): void {
    const d = this.#engine.decoder.stats;
    const t = this.#engine.tcp.stats;
    const m = this.#beat.metrics;
    m.gauge('packetbeat.packets').set(d.packets);
    m.gauge('packetbeat.packets_malformed').set(d.malformed);
    m.gauge('packetbeat.ip_fragments').set(d.fragments);
    m.gauge('packetbeat.tcp.connections_total').set(t.connections);
    m.gauge('packetbeat.tcp.connections_open').set(this.#engine.tcp.size);
    m.gauge('packetbeat.tcp.retransmitted').set(t.retransmitted);
    m.gauge('packetbeat.tcp.out_of_order').set(t.outOfOrder);
    m.gauge('packetbeat.tcp.gaps').set(t.gaps);
    m.gauge('packetbeat.tcp.buffered_bytes').set(this.#engine.tcp.budget.used);
    m.gauge('packetbeat.parser_errors').set(t.parserErrors + this.#engine.stats.udpErrors);
  }

  #logStats(): void {
    const d = this.#engine.decoder.stats;
    const t = this.#engine.tcp.stats;
    this.#updateMetrics();
    this.#beat.log.info(
      'Engine: %d packets (%d decoded, %d malformed), %d TCP connections, %d retransmitted, %d out of order, %d gaps (%d bytes), %d parser errors.',
      d.packets, d.decoded, d.malformed, t.connections, t.retransmitted, t.outOfOrder, t.gaps, t.gapBytes, t.parserErrors,
    );
  }
}
