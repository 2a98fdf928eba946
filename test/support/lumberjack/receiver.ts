import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { FrameDecoder } from '../../../src/libbeat/lumberjack/decoder.js';
import { encodeAck } from '../../../src/libbeat/lumberjack/encoder.js';
import type { Frame, LjVersion } from '../../../src/libbeat/lumberjack/frames.js';

/** Where a window stands when a fault decision is taken. */
export interface WindowInfo {
  /** Connection number, from 0, in accept order. */
  conn: number;
  /** Window number across all connections, from 0, in arrival order. */
  window: number;
  /** Announced window size (data frames). */
  size: number;
  version: LjVersion;
}

/** Misbehaviour on demand; each hook is asked once per window. */
export interface ReceiverFaults {
  /** Destroy the connection after this many data frames of the window arrived (they are kept: at-least-once). */
  closeAfter?(w: WindowInfo): number | undefined;
  /** Delay before the ACK of `seq` is written, ms (asked for every ACK). */
  ackDelayMs?(w: WindowInfo, seq: number): number;
  /** Hold the ACK of `seq` until the promise settles (then the delay, if any, still applies). */
  holdAck?(w: WindowInfo, seq: number): Promise<void> | undefined;
  /** Send a partial ACK after every `n` data frames (Logstash does this while its pipeline is busy). */
  partialAckEvery?(w: WindowInfo): number | undefined;
  /** Acknowledge only up to this many frames of the window, then stay silent (a stuck receiver). */
  ackOnly?(w: WindowInfo): number | undefined;
}

export interface ReceivedEvent {
  conn: number;
  window: number;
  seq: number;
  version: LjVersion;
  /** The parsed JSON document (v2) or the key/value pairs (v1). */
  doc: Record<string, unknown>;
}

export interface ReceiverOptions {
  host?: string;
  port?: number;
  tls?: TlsOptions;
  faults?: ReceiverFaults;
  /** Keep every event (default true); false only counts them (benchmarks). */
  record?: boolean;
}

interface WindowState extends WindowInfo {
  received: number;
  closeAfter: number | undefined;
  partialEvery: number | undefined;
  ackOnly: number | undefined;
}

/**
 * The reading side of lumberjack v1 and v2 (what Logstash's beats input and logstash-forwarder's receiver do), for
 * tests: accepts window, v1 data, v2 JSON and compressed frames, acknowledges each completed window with an ACK of
 * the last sequence number, and records every event and window. Faults: close mid-window, delay ACKs, partial ACKs,
 * stop acknowledging. A window's size sticks (v1 senders announce it once): data frames after a completed window
 * open a new window of the same size.
 */
export class LumberjackReceiver {
  readonly events: ReceivedEvent[] = [];
  readonly windows: WindowInfo[] = [];
  readonly acks: { conn: number; seq: number }[] = [];
  readonly errors: string[] = [];
  connections = 0;
  /** Data frames received (also when not recording). */
  received = 0;
  faults: ReceiverFaults;
  readonly #record: boolean;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(server: Server, faults: ReceiverFaults, record: boolean) {
    this.#server = server;
    this.faults = faults;
    this.#record = record;
  }

  static async start(opts: ReceiverOptions = {}): Promise<LumberjackReceiver> {
    let self: LumberjackReceiver | undefined;
    const onConn = (s: Socket): void => self!.#accept(s);
    const server = opts.tls ? createTlsServer(opts.tls, onConn) : createTcpServer(onConn);
    self = new LumberjackReceiver(server, opts.faults ?? {}, opts.record ?? true);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    self.#port = (server.address() as AddressInfo).port;
    return self;
  }

  get port(): number {
    return this.#port;
  }

  /** `host:port` for an output's `hosts`. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** The `n` field of every received event, in arrival order. */
  ns(): number[] {
    return this.events.map((e) => Number(e.doc['n']));
  }

  /** Distinct `n` values, sorted. */
  distinctNs(): number[] {
    return [...new Set(this.ns())].sort((a, b) => a - b);
  }

  /** Closes every open connection (as a crashing receiver would), keeping the listener. */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #accept(socket: Socket): void {
    const conn = this.connections++;
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({ accept: ['window', 'data', 'json', 'compressed'] });
    let win: WindowState | undefined;
    let lastSize = 0;
    let chain: Promise<void> = Promise.resolve();
    let pending = 0;
    let closed = false;
    socket.on('close', () => {
      closed = true;
      this.#sockets.delete(socket);
    });
    socket.on('error', () => {});
    const openWindow = (size: number, version: LjVersion): WindowState => {
      const info: WindowInfo = { conn, window: this.windows.length, size, version };
      this.windows.push(info);
      const f = this.faults;
      return {
        ...info,
        received: 0,
        closeAfter: f.closeAfter?.(info),
        partialEvery: f.partialAckEvery?.(info),
        ackOnly: f.ackOnly?.(info),
      };
    };
    const ack = (w: WindowState, seq: number): void => {
      if (w.ackOnly !== undefined && w.received > w.ackOnly) return;
      const send = (): void => {
        if (closed) return;
        this.acks.push({ conn, seq });
        socket.write(encodeAck(seq, w.version));
      };
      // Like Logstash, ACKs leave in order: a delayed or held ACK holds back the ones after it.
      const due = Date.now() + (this.faults.ackDelayMs?.(w, seq) ?? 0);
      const hold = this.faults.holdAck?.(w, seq);
      if (hold === undefined && due <= Date.now() && pending === 0) return send();
      pending++;
      chain = chain
        .then(async () => {
          if (hold !== undefined) await hold.catch(() => {});
          const left = due - Date.now();
          if (left > 0) await new Promise((r) => setTimeout(r, left));
          send();
        })
        .finally(() => void pending--);
    };
    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      for (const f of decoder.push(chunk)) {
        if (closed) return;
        if (f.kind === 'window') {
          lastSize = f.size;
          win = f.size > 0 ? openWindow(f.size, f.version) : undefined;
          continue;
        }
        if (f.kind !== 'json' && f.kind !== 'data') continue;
        if (!win) win = openWindow(lastSize > 0 ? lastSize : 1, f.version);
        const w = win;
        w.received++;
        this.received++;
        if (this.#record) this.#keep(conn, w, f);
        if (w.closeAfter !== undefined && w.received >= w.closeAfter) {
          closed = true;
          socket.destroy();
          return;
        }
        if (w.received >= w.size) {
          ack(w, f.seq);
          win = undefined;
        } else if (w.partialEvery !== undefined && w.received % w.partialEvery === 0) {
          ack(w, f.seq);
        }
      }
      if (decoder.error !== undefined) {
        this.errors.push(`connection ${conn}: ${decoder.error}`);
        closed = true;
        socket.destroy();
      }
    });
  }

  #keep(conn: number, w: WindowInfo, f: Frame): void {
    if (f.kind !== 'json' && f.kind !== 'data') return;
    let doc: Record<string, unknown>;
    if (f.kind === 'data') doc = { ...f.fields };
    else {
      try {
        doc = JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        this.errors.push(`connection ${conn}: invalid JSON in frame ${f.seq}`);
        doc = { invalid: f.payload.toString('utf8') };
      }
    }
    this.events.push({ conn, window: w.window, seq: f.seq, version: f.version, doc });
  }
}
