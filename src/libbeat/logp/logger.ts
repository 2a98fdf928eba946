import { format } from 'node:util';
import { levelRank, type Level } from './levels.js';

/** Where formatted log lines go (stderr, a rotating file, syslog). */
export interface LogSink {
  write(level: Level, line: string): void;
  close?(): void;
}

type LogFn = (msg: string, ...args: unknown[]) => void;

/**
 * The project's logger. Levels below the threshold are no-op functions, so a disabled `debug` costs one call on hot
 * paths; code that would build arguments anyway checks `isDebug` (read once per component). `debug` lines are
 * written only for enabled selectors (`-d publish,tcp`, `*` = all).
 */
export interface Logger {
  readonly selector: string;
  readonly isDebug: boolean;
  critical: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  child(selector: string): Logger;
}

export interface LoggerOptions {
  level: Level;
  /** Debug selectors; `*` enables all. Debug lines need both level debug and a matching selector. */
  selectors: readonly string[];
  sinks: readonly LogSink[];
  /** Clock for timestamps; injected in tests. */
  now?: () => Date;
}

const noop: LogFn = () => {};

export function createLogger(opts: LoggerOptions, selector = ''): Logger {
  const now = opts.now ?? (() => new Date());
  const threshold = levelRank(opts.level);
  const selectorOn =
    opts.selectors.includes('*') || selector === '' || opts.selectors.includes(selector) || opts.selectors.length === 0;
  const emit =
    (level: Level, label: string): LogFn =>
    (msg, ...args) => {
      const text = args.length > 0 ? format(msg, ...args) : msg;
      const line = `${now().toISOString()} ${label}${selector ? ` [${selector}]` : ''} ${text}`;
      for (const s of opts.sinks) s.write(level, line);
    };
  const make = (level: Level, label: string): LogFn => (levelRank(level) <= threshold ? emit(level, label) : noop);
  const isDebug = threshold >= levelRank('debug') && selectorOn;
  return {
    selector,
    isDebug,
    critical: make('critical', 'CRIT'),
    error: make('error', 'ERR'),
    warn: make('warning', 'WARN'),
    info: make('info', 'INFO'),
    debug: isDebug ? emit('debug', 'DBG') : noop,
    child: (sel: string) => createLogger(opts, sel),
  };
}

/** A logger that discards everything (tests, library use). */
export const nopLogger: Logger = {
  selector: '',
  isDebug: false,
  critical: noop,
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  child: () => nopLogger,
};

/** Collects lines in memory; for tests that assert on log output. */
export function memorySink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (_l, line) => void lines.push(line) };
}

export function stderrSink(): LogSink {
  return { write: (_l, line) => void process.stderr.write(line + '\n') };
}
