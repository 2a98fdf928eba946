import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/run-cli.js';

export const FILEBEAT = 'bin/filebeat.js';

export interface Doc {
  message: string;
  offset: number;
  source: string;
  [k: string]: unknown;
}

/** Test files can be large (10,000 files, tens of MB): every sandbox is removed when the test process ends. */
const SANDBOXES: string[] = [];
process.once('exit', () => {
  for (const d of SANDBOXES) rmSync(d, { recursive: true, force: true });
});

/** A temp dir with logs/, out/ and a registry path; `config()` writes filebeat.yml for one prospector. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'filebeat-it-'));
  readonly logs = join(this.dir, 'logs');
  readonly out = join(this.dir, 'out');
  readonly registry = join(this.dir, 'registry');
  readonly cfg = join(this.dir, 'filebeat.yml');

  constructor() {
    mkdirSync(this.logs);
    SANDBOXES.push(this.dir);
  }

  /**
   * Writes the config: one prospector with fast polling (tests must not wait seconds) plus `extra` YAML lines
   * indented under it, and the file output to out/ (or `outputYaml`).
   */
  config(paths: string[], extra: string[] = [], opts: { outputYaml?: string; global?: string[] } = {}): string {
    const p = [
      'filebeat:',
      '  prospectors:',
      `    - paths: [${paths.map((x) => JSON.stringify(x)).join(', ')}]`,
      '      scan_frequency: 100ms',
      '      backoff: 20ms',
      '      max_backoff: 100ms',
      ...extra.map((l) => `      ${l}`),
      `  registry_file: ${this.registry}`,
      '  registry_flush: 100ms',
      ...(opts.global ?? []).map((l) => `  ${l}`),
      'output:',
      opts.outputYaml ?? `  file:\n    path: ${this.out}\n    rotate_every_kb: 1000000\n    bulk_max_size: 512`,
      'shutdown_timeout: 5s',
      '',
    ].join('\n');
    writeFileSync(this.cfg, p);
    return this.cfg;
  }

  /** Every document the file output wrote, oldest file first. */
  docs(dir = this.out): Doc[] {
    if (!existsSync(dir)) return [];
    const files = readdirSync(dir)
      .filter((n) => n.startsWith('filebeat'))
      .sort((a, b) => rank(b) - rank(a));
    const out: Doc[] = [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      // The output may be mid-write: only complete lines count.
      for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) if (line) out.push(JSON.parse(line) as Doc);
    }
    return out;
  }

  registryEntries(): { source: string; offset: number; FileStateOS: { inode: number; device: number } }[] {
    if (!existsSync(this.registry)) return [];
    return JSON.parse(readFileSync(this.registry, 'utf8'));
  }
}

function rank(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** A running filebeat process. */
export interface Running {
  proc: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startFilebeat(args: string[]): Running {
  const proc = spawn(process.execPath, [FILEBEAT, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  return { proc, stderr: () => err, exited };
}

/** Polls `cond` every 50 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `prefix-<n>` padded lines, each ending in \n. */
export function numbered(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${i}\n`;
  return s;
}

/** Counts of each message; asserts helpers use it to find losses and duplicates. */
export function countMessages(docs: Doc[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of docs) m.set(d.message, (m.get(d.message) ?? 0) + 1);
  return m;
}
