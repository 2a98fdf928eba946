import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';

/** The shared capture corpus (real traffic recorded on loopback, with the transactions it holds). */
export const CAPTURES = process.env['PACKETBEAT_CAPTURES'] ?? '/work/shared/captures';

export type RunCapture = (
  pcapFile: string,
  protocols: Record<string, Record<string, unknown>>,
  opts?: { ignoreOutgoing?: boolean },
) => Promise<BeatEvent[]>;

/**
 * The engine's test helper (test/support/packetbeat/run-capture.ts), loaded at run time so these tests build
 * before the engine lands; a string says why it is not available.
 */
export async function loadRunCapture(): Promise<RunCapture | string> {
  const url = new URL('../../../support/packetbeat/run-capture.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return 'the packetbeat engine test helper (test/support/packetbeat/run-capture.ts) is not built';
  const mod = (await import(url.href)) as { runCapture?: RunCapture };
  return mod.runCapture ?? 'run-capture.js exports no runCapture';
}

export function captureFile(name: string): string | undefined {
  const f = `${CAPTURES}/${name}`;
  return existsSync(f) ? f : undefined;
}

export function readExpected<T>(name: string): T[] {
  return JSON.parse(readFileSync(`${CAPTURES}/${name}`, 'utf8')) as T[];
}
