import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { BeatsError } from '../../common/errors.js';
import { FrameDecoder } from '../../lumberjack/decoder.js';
import type { HostPort } from './config.js';

export type WindowResult = 'acked' | 'timeout' | 'closed';

/** A window sent and not yet fully acknowledged. ACKs arrive in order, so they are matched to the oldest. */
export class InflightWindow {
  readonly count: number;
  /** Events of this window the receiver acknowledged so far (partial ACKs). */
  acked = 0;
  /** Given up on (timed out): its late ACKs are still absorbed, but nobody waits for them. */
  stale = false;
  readonly result: Promise<WindowResult>;
  #resolve!: (r: WindowResult) => void;
  #settled = false;

  constructor(count: number) {
    this.count = count;
    this.result = new Promise((r) => (this.#resolve = r));
  }

  settle(r: WindowResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(r);
  }
}

/**
 * One lumberjack v2 connection: writes windows and matches the ACK frames that come back to them. An ACK for
 * `seq` acknowledges events 1..seq of the oldest open window; the last sequence number completes it. Any ACK counts
 * as a sign of life and restarts the `timeout` clock; when it runs out, every window still waited for is settled
 * as `timeout` and kept (stale) to absorb its late ACKs, so they are never taken for a newer window's.
 */
export class LumberjackConnection {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder({ accept: ['ack'] });
  readonly #queue: InflightWindow[] = [];
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closedReason: string | undefined;
  /** The connection ended with no window waiting (e.g. Logstash's client_inactivity_timeout): nothing was lost. */
  closedIdle = false;
  readonly openedAt = Date.now();
  /** Called once each time the ACK clock runs out (however many windows were waiting). */
  onTimeout: (() => void) | undefined;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err.message));
    socket.on('close', () => this.#fail('connection closed by the receiver'));
  }

  /** Connects (TLS when `tls` is given), failing after `timeoutMs` or when `signal` aborts. */
  static open(hp: HostPort, tls: ConnectionOptions | undefined, timeoutMs: number, signal?: AbortSignal): Promise<LumberjackConnection> {
    return new Promise((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ ...tls, host: hp.host, port: hp.port, ...(isIP(hp.host) === 0 && tls.servername === undefined ? { servername: hp.host } : {}) })
        : netConnect({ host: hp.host, port: hp.port });
      const done = (err?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', done);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(new LumberjackConnection(socket, timeoutMs));
      };
      const onAbort = (): void => done(new BeatsError('BEAT_ERR_CLOSED', 'connect aborted'));
      const timer = setTimeout(
        () => done(new BeatsError('BEAT_ERR_TIMEOUT', `no connection to ${hp.host}:${hp.port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('error', done);
      socket.once(tls ? 'secureConnect' : 'connect', () => done());
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Why the connection is unusable, or undefined while it is open. */
  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  /** Windows still expecting ACKs, stale ones included. */
  get inflight(): number {
    return this.#queue.length;
  }

  /** Writes one window (already encoded frames) of `count` events and returns its tracker. */
  send(count: number, bytes: readonly Buffer[]): InflightWindow {
    const w = new InflightWindow(count);
    if (this.#closedReason !== undefined) {
      w.settle('closed');
      return w;
    }
    this.#queue.push(w);
    this.#socket.cork();
    for (const b of bytes) this.#socket.write(b);
    this.#socket.uncork();
    if (this.#timer === undefined) this.#arm();
    return w;
  }

  close(): void {
    this.#fail('connection closed');
    this.#socket.destroy();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.some((w) => !w.stale)) this.#timer = setTimeout(() => this.#onTimeout(), this.#timeoutMs);
  }

  #onTimeout(): void {
    this.#timer = undefined;
    this.onTimeout?.();
    for (const w of this.#queue) {
      if (w.stale) continue;
      w.stale = true;
      w.settle('timeout');
    }
  }

  #onData(chunk: Buffer): void {
    for (const f of this.#decoder.push(chunk)) {
      if (f.kind !== 'ack') continue;
      const head = this.#queue[0];
      if (head !== undefined) {
        if (f.seq >= head.count) {
          head.acked = head.count;
          this.#queue.shift();
          head.settle('acked');
        } else if (f.seq > head.acked) head.acked = f.seq;
      }
      this.#arm();
    }
    if (this.#decoder.error !== undefined) {
      this.#fail(`protocol error from the receiver: ${this.#decoder.error}`);
      this.#socket.destroy();
    }
  }

  #fail(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.closedIdle = this.#queue.length === 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#queue.splice(0)) w.settle('closed');
  }
}
