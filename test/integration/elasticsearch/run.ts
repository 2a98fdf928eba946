import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../support/run-cli.js';
import type { Cluster } from './cluster.js';

export const TESTBEAT = 'dist/test/support/testbeat-cli.js';

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'es-it-'));
}

/** A fields file for the test beat: `n` long and `bad` long, so a `bad: "x"` document is a real mapping error. */
export function testFields(dir: string): string {
  const f = join(dir, 'testbeat.fields.yml');
  writeFileSync(
    f,
    ['- key: testbeat', '  title: Test beat', '  fields:', '    - name: n', '      type: long', '    - name: bad', '      type: long', '    - name: message', '      type: text', ''].join('\n'),
  );
  return f;
}

/** Runs the test beat through the CLI with `output.elasticsearch` pointed at the cluster; config written as JSON. */
export async function runTestbeat(cluster: Cluster, dir: string, cfg: Record<string, unknown>, es: Record<string, unknown>, args: string[] = ['-e']): Promise<CliResult> {
  const output = {
    hosts: [cluster.url],
    ...(cluster.username !== undefined ? { username: cluster.username, password: cluster.password ?? '' } : {}),
    flush_interval: '20ms',
    backoff: { init: '20ms', max: '200ms' },
    ...es,
  };
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, JSON.stringify({ ...cfg, output: { elasticsearch: output } }, null, 2));
  return runCli(TESTBEAT, ['-c', file, ...args], { timeoutMs: 25_000 });
}

/** The n values the beat sent, minus those that carry the bad field. */
export function expectedGood(count: number, isBad: (n: number) => boolean): number[] {
  return Array.from({ length: count }, (_, i) => i).filter((n) => !isBad(n));
}

/** Sum of the counts in "will not index N of M events" log lines. */
export function droppedInLog(stderr: string): number {
  let sum = 0;
  for (const m of stderr.matchAll(/will not index (\d+) of \d+ events/g)) sum += Number(m[1]);
  return sum;
}

export function utcDay(iso: string): string {
  return iso.slice(0, 10).replace(/-/g, '.');
}
