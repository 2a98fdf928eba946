import type { Logger } from '../../../libbeat/logp/logger.js';
import type { Direction } from './protocol.js';

/** A per-direction incremental parser that stops at its first error and can start over, resyncing on its input. */
export interface ResyncStream {
  readonly error: string | undefined;
  reset(resync?: boolean): void;
}

/**
 * After a stream was fed: when it hit unparseable bytes, logs it and resets it to resync. True when the requests in
 * flight are to be given up (the response side is the broken one).
 */
export function resyncOnError(log: Logger, protocol: string, s: ResyncStream, dir: Direction): boolean {
  if (s.error === undefined) return false;
  log.debug(`${protocol}: unparseable ${dir === 0 ? 'request' : 'response'} stream (${s.error}); resyncing`);
  s.reset(true);
  return dir === 1;
}

/**
 * Bytes were lost in one direction: that stream resyncs; a loss on the response side resyncs the request side too.
 * True when the requests in flight are to be given up (response bytes were lost).
 */
export function resyncAfterGap(streams: readonly [ResyncStream, ResyncStream], dir: Direction): boolean {
  streams[dir].reset(true);
  if (dir === 0) return false;
  streams[0].reset(true);
  return true;
}
