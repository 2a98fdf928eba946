import type { ConfigNode } from '../config/config-node.js';
import { createFileSink } from './file-sink.js';
import { parseLevel, type Level } from './levels.js';
import { createLogger, stderrSink, type LogSink, type Logger } from './logger.js';
import { createSyslogSink } from './syslog-sink.js';

export interface LoggingFlags {
  /** `-e`: stderr only. */
  toStderr: boolean;
  /** `-v`: at least info. */
  verbose: boolean;
  /** `-d`: debug selectors. */
  debugSelectors: string[];
}

export interface LoggingSetup {
  log: Logger;
  sinks: LogSink[];
  level: Level;
}

/**
 * Builds the root logger from the `logging` section and the CLI flags (Beats 1.0 rules): `-e` logs to stderr only;
 * otherwise `logging.to_files` writes rotating files (`files.path/name/rotateeverybytes/keepfiles`) and
 * `logging.to_syslog` sends to the local syslog (`/dev/log`, or `logging.syslog_socket`); with neither, or when
 * the syslog socket is missing (a warning says so), the log goes to stderr.
 * Level: `logging.level` (default error, as 1.0), raised to info by `-v` and to debug by `-d`.
 */
export function setupLogging(beat: string, cfg: ConfigNode, flags: LoggingFlags): LoggingSetup {
  const levelText = cfg.str('level', 'error');
  let level = parseLevel(levelText);
  if (!level) throw cfg.error('level', `must be one of critical, error, warning, info, debug, got ${JSON.stringify(levelText)}`);
  const selectors = [...cfg.strList('selectors', []), ...flags.debugSelectors];
  if (flags.verbose && (level === 'critical' || level === 'error' || level === 'warning')) level = 'info';
  if (flags.debugSelectors.length > 0) level = 'debug';
  const sinks: LogSink[] = [];
  let syslogMissing: string | undefined;
  if (flags.toStderr) sinks.push(stderrSink());
  else {
    if (cfg.bool('to_syslog', false)) {
      const socket = cfg.str('syslog_socket', '/dev/log');
      const sink = createSyslogSink(beat, socket);
      if (sink) sinks.push(sink);
      else syslogMissing = socket;
    }
    if (cfg.bool('to_files', false)) {
      const files = cfg.child('files');
      sinks.push(
        createFileSink({
          path: files.str('path', `./logs`),
          name: files.str('name', beat),
          rotateEveryBytes: files.int('rotateeverybytes', 10 * 1024 * 1024, { min: 1024 }),
          keepFiles: files.int('keepfiles', 7, { min: 2, max: 1024 }),
        }),
      );
    }
    if (sinks.length === 0) sinks.push(stderrSink());
  }
  const log = createLogger({ level, selectors, sinks });
  if (syslogMissing) log.warn(`No syslog socket at ${syslogMissing}; logging to stderr instead.`);
  return { log, sinks, level };
}
