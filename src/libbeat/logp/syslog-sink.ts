import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Level } from './levels.js';
import type { LogSink } from './logger.js';

/** syslog severities (RFC 5424) of our levels; facility "user" (1). */
const SEVERITY: Record<Level, number> = { critical: 2, error: 3, warning: 4, info: 6, debug: 7 };
const FACILITY_USER = 1;

/**
 * Logs to the local syslog daemon through one long-lived `logger` (util-linux) process: Node has no Unix datagram
 * sockets, and `/dev/log` is one. Each line carries its own priority (`--prio-prefix`), so levels map to syslog
 * severities. Returns undefined when the socket or the `logger` program is missing, so the caller can fall back.
 */
export function createSyslogSink(tag: string, socket = '/dev/log'): LogSink | undefined {
  if (!existsSync(socket)) return undefined;
  const child = spawn('logger', ['-t', tag, `--id=${process.pid}`, '--prio-prefix', '-u', socket], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  let alive = true;
  child.on('error', () => (alive = false));
  child.on('exit', () => (alive = false));
  child.stdin.on('error', () => (alive = false));
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return {
    write(level, line) {
      if (!alive) return;
      // The timestamp and level are syslog's own fields; send the message part only.
      const msg = line.replace(/^\S+ \S+ /, '');
      child.stdin.write(`<${FACILITY_USER * 8 + SEVERITY[level]}>${msg}\n`);
    },
    close() {
      if (alive) child.stdin.end();
    },
  };
}
