/** An Elasticsearch (or OpenSearch) version as read from `GET /`. */
export interface EsVersion {
  major: number;
  minor: number;
  patch: number;
  /** As the cluster reported it, for logs: `8.11.1`, `opensearch 2.11.0`. */
  text: string;
}

/**
 * Parses `version.number` (`8.11.1`, `7.17.0-SNAPSHOT`, `1.7.5`). OpenSearch reports `distribution: opensearch`
 * and numbers from 1.0; its API is the one of Elasticsearch 7.10, so it is read as 7.10.
 */
export function parseVersion(number: string, distribution?: string): EsVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(number.trim());
  if (!m) return undefined;
  if (distribution === 'opensearch') return { major: 7, minor: 10, patch: 2, text: `opensearch ${number}` };
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: number };
}

/** `v >= major.minor`. */
export function atLeast(v: EsVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * The `_type` sent in bulk action lines: the event type on 1.x-5.x (Beats 1.0 behaviour), `doc` on 6.x (one mapping
 * type per index, as Beats 6 does), none from 7.0 on (types are deprecated in 7 and rejected in 8).
 */
export function typeMode(v: EsVersion): 'event' | 'doc' | 'none' {
  if (v.major >= 7) return 'none';
  if (v.major === 6) return 'doc';
  return 'event';
}
