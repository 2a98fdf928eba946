import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const SHARED = { host: '127.0.0.1', port: 6379 };

/** Whether something accepts TCP connections at host:port (within 1 s). */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A private redis-server (for tests that kill and restart it or need a password), persisting every write
 * (appendfsync always) so that what it acknowledged survives a kill -9.
 */
export class OwnRedis {
  readonly port: number;
  readonly dir: string;
  readonly args: string[];
  #proc: ChildProcess | undefined;

  private constructor(port: number, extra: string[]) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'own-redis-'));
    this.args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', ...extra];
  }

  static async start(extra: string[] = []): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), extra);
    await r.restart();
    return r;
  }

  /** TLS only: plain port off, `port` is the TLS port; clients need not present certificates. */
  static async startTls(certPath: string, keyPath: string): Promise<OwnRedis> {
    const port = await freePort();
    const r = new OwnRedis(port, ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certPath, '--tls-key-file', keyPath,
      '--tls-ca-cert-file', certPath, '--tls-auth-clients', 'no']);
    await r.restart();
    return r;
  }

  async restart(): Promise<void> {
    this.#proc = spawn('redis-server', this.args, { stdio: 'ignore' });
    const end = Date.now() + 5000;
    while (!(await reachable('127.0.0.1', this.port))) {
      if (Date.now() > end) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** kill -9: no shutdown save; only the fsynced append-only file survives. */
  async kill(): Promise<void> {
    const p = this.#proc;
    this.#proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  client(password?: string): Redis {
    return new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: false, ...(password ? { password } : {}) });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
