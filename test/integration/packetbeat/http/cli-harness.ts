import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli, type CliResult } from '../../../support/run-cli.js';

/** The packetbeat launcher users run (`npx packetbeat`). */
export const PACKETBEAT = 'bin/packetbeat.js';

/** Why the packetbeat CLI cannot run here, or undefined when it can. */
export function cliMissing(): string | undefined {
  // The CLI exists from the start with a placeholder beat; the engine's beater is what makes it capture.
  if (!existsSync(join(REPO_ROOT, 'dist/src/beats/packetbeat/beater.js'))) return 'the packetbeat beater (src/beats/packetbeat/beater.ts) is not built yet';
  return undefined;
}

/** Why live capture on lo cannot run here, or undefined when it can. */
export function liveMissing(): string | undefined {
  const cli = cliMissing();
  if (cli !== undefined) return cli;
  if (spawnSync('tcpdump', ['--version']).error) return 'tcpdump not installed';
  if (process.getuid?.() !== 0) {
    try {
      const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m === null || (BigInt(`0x${m[1]}`) & (1n << 13n)) === 0n) return 'live capture needs root or CAP_NET_RAW';
    } catch {
      return 'live capture needs root or CAP_NET_RAW';
    }
  }
  return undefined;
}

/** A config file writing events to a file output in a fresh directory. */
export function writeConfig(protocols: string, extra = ''): { cfg: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pb-proto-'));
  const out = join(dir, 'out');
  const cfg = join(dir, 'packetbeat.yml');
  writeFileSync(cfg, `${extra}protocols:\n${protocols}output:\n  file:\n    path: ${out}\n    filename: packetbeat\n`);
  return { cfg, out };
}

export function readEvents(out: string): Array<Record<string, unknown>> {
  const file = join(out, 'packetbeat');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs packetbeat on a capture file as fast as possible (`-I file -t`). */
export function runOnFile(cfg: string, pcap: string): Promise<CliResult> {
  return runCli(PACKETBEAT, ['-c', cfg, '-I', pcap, '-t', '-e'], { timeoutMs: 25_000 });
}

/**
 * Starts packetbeat sniffing lo, waits until the capture runs (its `Capture started` log line, written once tcpdump
 * is listening), calls `traffic`, waits for the last packets, stops
 * packetbeat with SIGINT and returns its result.
 */
export async function sniffWhile(cfg: string, traffic: () => Promise<void>): Promise<{ result: CliResult | undefined; stderr: string }> {
  let child: ChildProcess | undefined;
  let stderr = '';
  let result: CliResult | undefined;
  await new Promise<void>((resolve) => {
    const done = runCli(PACKETBEAT, ['-c', cfg, '-e', '-v'], {
      timeoutMs: 25_000,
      onSpawn: (p) => {
        child = p;
        let sniffing = false;
        p.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/Capture started/.test(stderr)) resolve();
          // Builds that do not log the start: tcpdump attaches within a few seconds of being spawned.
          if (!sniffing && /Sniffing on/.test(stderr)) {
            sniffing = true;
            setTimeout(resolve, 4000).unref();
          }
        });
      },
    });
    void done.then((r) => {
      result = r;
      resolve();
    });
  });
  if (result !== undefined) return { result, stderr };
  await new Promise((r) => setTimeout(r, 500));
  await traffic();
  await new Promise((r) => setTimeout(r, 1500));
  child?.kill('SIGINT');
  const deadline = Date.now() + 15_000;
  while (result === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { result, stderr };
}
