/** One registry entry as read from disk, whatever the format. */
export interface RegistryEntry {
  source: string;
  offset: number;
  inode: number;
  device: number;
  /** ms since the epoch; undefined for formats without it (Beats 1.0, Logstash Forwarder). */
  timestamp: number | undefined;
  /** clean_inactive in ms, 0 = none. */
  ttlMs: number;
  /** File creation time in ms, 0 = unknown (an extension of the Beats 5 format, ignored by other readers). */
  birthMs?: number;
}

export type RegistryFormat = 'beats-1.0' | 'beats-5' | 'logstash-forwarder' | 'empty';

/**
 * Parses a registry file's text. Accepts:
 * - Beats 1.0: an object keyed by path, `{"/var/log/x": {"source", "offset", "FileStateOS": {"inode", "device"}}}`;
 * - Beats 5 (what this beat writes): an array of `{source, offset, FileStateOS, timestamp, ttl}` (ttl in ns, -1 = none);
 * - Logstash Forwarder's `.logstash-forwarder`: an object keyed by path, `{"source", "offset", "inode", "device"}`.
 * Entries without a usable inode or offset are skipped. Throws only on text that is not JSON.
 */
export function parseRegistry(text: string): { format: RegistryFormat; entries: RegistryEntry[] } {
  if (text.trim() === '') return { format: 'empty', entries: [] };
  const data: unknown = JSON.parse(text);
  if (Array.isArray(data)) return { format: 'beats-5', entries: data.map((v) => toEntry(v)).filter(isEntry) };
  if (data === null || typeof data !== 'object') return { format: 'empty', entries: [] };
  const values = Object.entries(data as Record<string, unknown>).map(([path, v]) => toEntry(v, path));
  const lsf = Object.values(data as Record<string, unknown>).some((v) => isObj(v) && 'inode' in v && !('FileStateOS' in v));
  return { format: lsf ? 'logstash-forwarder' : 'beats-1.0', entries: values.filter(isEntry) };
}

function toEntry(v: unknown, key?: string): RegistryEntry | undefined {
  if (!isObj(v)) return undefined;
  const os = isObj(v['FileStateOS']) ? v['FileStateOS'] : v;
  const inode = num(os['inode']);
  const device = num(os['device']) ?? 0;
  const offset = num(v['offset']);
  const source = typeof v['source'] === 'string' ? v['source'] : key;
  if (inode === undefined || offset === undefined || offset < 0 || source === undefined) return undefined;
  const ts = typeof v['timestamp'] === 'string' ? Date.parse(v['timestamp']) : NaN;
  const ttl = num(v['ttl']);
  const e: RegistryEntry = { source, offset, inode, device, timestamp: Number.isFinite(ts) ? ts : undefined, ttlMs: ttl !== undefined && ttl > 0 ? ttl / 1e6 : 0 };
  const birth = num(v['birth']);
  if (birth !== undefined && birth > 0) e.birthMs = birth;
  return e;
}

/** Serializes entries in the Beats 5 array format (one line per file, so large registries diff and stream well). */
export function formatRegistry(entries: readonly RegistryEntry[]): string {
  const lines = entries.map((e) =>
    JSON.stringify({
      source: e.source,
      offset: e.offset,
      FileStateOS: { inode: e.inode, device: e.device },
      timestamp: new Date(e.timestamp ?? Date.now()).toISOString(),
      ttl: e.ttlMs > 0 ? e.ttlMs * 1e6 : -1,
      ...(e.birthMs ? { birth: e.birthMs } : {}),
    }),
  );
  return `[${lines.join(',\n')}]\n`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function isEntry(e: RegistryEntry | undefined): e is RegistryEntry {
  return e !== undefined;
}
