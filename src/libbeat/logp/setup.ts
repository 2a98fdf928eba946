import type { ConfigNode } from '../config/config-node.js';
import { createFileSink } from './file-sink.js';
import { parseLevel, type Level } from './levels.js';
import { createLogger, stderrSink, type LogSink, type Logger } from './logger.js';

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
 * otherwise `logging.to_files` writes rotating files (`files.path/name/rotateeverybytes/keepfiles`), and with
 * neither files nor `-e` the log goes to stderr. `logging.to_syslog` is accepted for compatibility; Node cannot
 * write to the /dev/log datagram socket, so syslog logging is not available and a warning says so once.
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
  let syslogWanted = false;
  if (flags.toStderr) sinks.push(stderrSink());
  else {
    syslogWanted = cfg.bool('to_syslog', false);
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
    } else sinks.push(stderrSink());
  }
  const log = createLogger({ level, selectors, sinks });
  if (syslogWanted) log.warn('Logging to syslog is not supported by this implementation; logging.to_syslog is ignored.');
  return { log, sinks, level };
}
