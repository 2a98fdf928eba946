import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPcap, buildPcapng } from '../../../src/beats/packetbeat/pcap/writer.js';

let dir: string | undefined;

/** Writes frames (1 ms apart from `startTs`) to a temporary capture file and returns its path. */
export function writeTempCapture(
  linkType: number,
  frames: readonly Buffer[],
  opts: { format?: 'pcap' | 'pcapng'; startTs?: number; stepMs?: number; name?: string } = {},
): string {
  dir ??= mkdtempSync(join(tmpdir(), 'pb-test-'));
  const start = opts.startTs ?? 1_700_000_000_000;
  const step = opts.stepMs ?? 1;
  const packets = frames.map((data, i) => ({ ts: start + i * step, data }));
  const bytes = opts.format === 'pcapng' ? buildPcapng(linkType, packets) : buildPcap(linkType, packets);
  const file = join(dir, `${opts.name ?? 'capture'}-${Math.random().toString(36).slice(2)}.${opts.format ?? 'pcap'}`);
  writeFileSync(file, bytes);
  return file;
}
