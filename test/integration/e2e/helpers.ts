import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/run-cli.js';

// Shared pieces of the end-to-end tests: a temp sandbox with a filebeat config written as JSON (YAML is a superset),
// the real CLI spawned as a child process, and readers for what the beat left behind (registry, file output).

export const FILEBEAT = 'bin/filebeat.js';
export const TOPBEAT = 'bin/topbeat.js';

export interface RegistryState {
  source: string;
  offset: number;
}

export class E2eSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'e2e-'));
  readonly logs = join(this.dir, 'logs');
  readonly out = join(this.dir, 'out');
  readonly registry = join(this.dir, 'registry');
  readonly cfg = join(this.dir, 'beat.yml');

  constructor() {
    mkdirSync(this.logs);
  }

  /** Writes a filebeat config: one log prospector over `paths` with fast polling, `prospector` merged in, `output` as given. */
  filebeat(paths: string[], output: Record<string, unknown>, opts: { prospector?: Record<string, unknown>; top?: Record<string, unknown> } = {}): string {
    const cfg = {
      filebeat: {
        prospectors: [{ paths, scan_frequency: '100ms', backoff: '20ms', max_backoff: '100ms', ...(opts.prospector ?? {}) }],
        registry_file: this.registry,
        registry_flush: '100ms',
      },
      output,
      shutdown_timeout: '5s',
      ...(opts.top ?? {}),
    };
    writeFileSync(this.cfg, JSON.stringify(cfg, null, 2));
    return this.cfg;
  }

  /** Registry entries, whichever layout (array of states or map keyed by file) the registrar writes. */
  registryEntries(): RegistryState[] {
    if (!existsSync(this.registry)) return [];
    const j = JSON.parse(readFileSync(this.registry, 'utf8')) as RegistryState[] | Record<string, RegistryState>;
    return Array.isArray(j) ? j : Object.values(j);
  }

  /** Every document the file output wrote under out/ (rotated files first, oldest first). */
  fileDocs(prefix = 'filebeat'): Record<string, unknown>[] {
    if (!existsSync(this.out)) return [];
    const rank = (n: string) => Number(/\.(\d+)$/.exec(n)?.[1] ?? 0);
    const files = readdirSync(this.out)
      .filter((n) => n.startsWith(prefix))
      .sort((a, b) => rank(b) - rank(a));
    const docs: Record<string, unknown>[] = [];
    for (const f of files) for (const l of readFileSync(join(this.out, f), 'utf8').split('\n')) if (l) docs.push(JSON.parse(l) as Record<string, unknown>);
    return docs;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Running {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has exited yet. */
  done(): boolean;
}

/** Spawns a beat's CLI from the repository root; SIGKILLed after `killAfterMs` as a safety net. */
export function startBeat(script: string, args: string[], killAfterMs = 60_000): Running {
  const proc = spawn(process.execPath, [script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let finished = false;
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal });
    }),
  );
  const killer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  void exited.then(() => clearTimeout(killer));
  return { proc, stdout: () => out, stderr: () => err, exited, done: () => finished };
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Lines `<prefix>-<i>` for i in [from, to), newline-terminated. */
export function numberedLines(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${i}\n`;
  return s;
}

/** How often each key occurs; `lost` are the expected keys never seen, `duplicates` the extra copies. */
export function tally<T>(expected: Iterable<T>, seen: Iterable<T>): { lost: T[]; duplicates: number; unexpected: T[] } {
  const counts = new Map<T, number>();
  for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  const lost: T[] = [];
  const want = new Set(expected);
  for (const k of want) if (!counts.has(k)) lost.push(k);
  let duplicates = 0;
  const unexpected: T[] = [];
  for (const [k, n] of counts) {
    if (!want.has(k)) unexpected.push(k);
    duplicates += n - 1;
  }
  return { lost, duplicates, unexpected };
}

/** Sum of one counter over the beat's periodic "Non-zero metrics ..." log lines (and the final totals line, if any). */
export function metricFromLog(stderr: string, counter: string): { periodic: number; total: number | undefined } {
  let periodic = 0;
  let total: number | undefined;
  for (const line of stderr.split('\n')) {
    const m = /(Non-zero metrics in the last [^:]*|Total non-zero metrics[^:]*): (\{.*\})\.?\s*$/.exec(line);
    if (!m) continue;
    let v: unknown;
    try {
      v = (JSON.parse(m[2]!) as Record<string, unknown>)[counter];
    } catch {
      continue;
    }
    if (typeof v !== 'number') continue;
    if (m[1]!.startsWith('Total')) total = v;
    else periodic += v;
  }
  return { periodic, total };
}

export function utcDay(iso: string): string {
  return iso.slice(0, 10).replace(/-/g, '.');
}
