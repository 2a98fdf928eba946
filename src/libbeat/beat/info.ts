import { hostname } from 'node:os';

/** Identity of the running beat, stamped on every event as `beat.name` / `beat.hostname`. */
export interface BeatInfo {
  /** The beat's program name: topbeat, filebeat, packetbeat. Default index name. */
  readonly beat: string;
  readonly version: string;
  /** `shipper.name`, default the hostname. */
  readonly name: string;
  readonly hostname: string;
}

export const VERSION = '1.0.0';

export function createBeatInfo(beat: string, name?: string): BeatInfo {
  const host = hostname();
  return { beat, version: VERSION, name: name || host, hostname: host };
}
