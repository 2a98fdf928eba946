import type { ConfigNode } from '../config/config-node.js';
import type { Logger } from '../logp/logger.js';
import type { Registry } from '../monitoring/registry.js';
import type { Pipeline } from '../publisher/client.js';
import type { BeatInfo } from './info.js';

/** Everything libbeat hands a beat when it starts. */
export interface Beat {
  readonly info: BeatInfo;
  /** The root of the loaded config (after `${VAR}` expansion and `-E` overrides). */
  readonly config: ConfigNode;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly pipeline: Pipeline;
  /** Values of the beat's own CLI flags (see BeatDefinition.flags), by flag name. */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
}

/**
 * A beat's main loop. `run()` resolves when the beat is done (stop() was called, or the work ended, as with
 * Filebeat `-once` or Packetbeat `-I file`); it rejects on a fatal error. `stop()` is idempotent and may be called
 * from a signal handler. Beats never call process.exit; they return or throw.
 */
export interface Beater {
  run(): Promise<void>;
  stop(): void;
}

/** A beat-specific CLI flag (beyond libbeat's), e.g. Packetbeat `-I file`. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  description: string;
  /** Single-letter or Go-style short spelling, e.g. `I` for `-I`. The long form `--name` is always accepted. */
  short?: string;
}

/** What a beat registers with libbeat's runner. */
export interface BeatDefinition {
  readonly name: string;
  /** Beat-specific flags. */
  readonly flags?: readonly FlagSpec[];
  /**
   * Validates the beat's own config section and builds the beater. Config mistakes throw ConfigError; `-configtest`
   * calls this with a pipeline that is never run, so it must not start any I/O until run().
   */
  create(beat: Beat): Promise<Beater> | Beater;
  /** Per-event defaults: the queue mode used by this beat's default client (documentation only). */
  readonly description: string;
}
