import type { ConfigNode } from '../../libbeat/config/config-node.js';

/** The `input` section of topbeat.yml (Beats 1.0 names; `cpu_per_core` from 1.1). */
export interface TopbeatConfig {
  periodMs: number;
  /** Regexps on the process name; a process is reported if any matches. */
  procs: RegExp[];
  system: boolean;
  /** Per-process events: `stats.proc` and not disabled with `procs: ["^$"]`. */
  proc: boolean;
  filesystem: boolean;
  cpuPerCore: boolean;
  /** Options under `input` this version does not know (probably misspelled); logged as a warning. */
  unknown: string[];
}

const KNOWN = new Set(['period', 'procs', 'stats', 'cpu_per_core']);
const KNOWN_STATS = new Set(['system', 'proc', 'process', 'filesystem']);

export function parseTopbeatConfig(root: ConfigNode): TopbeatConfig {
  const input = root.child('input');
  const periodMs = input.durationMs('period', 10_000, { unit: 's', min: 1, minMessage: 'must be a positive number of seconds' });
  const sources = input.strList('procs', ['.*']);
  const procs = input.regexpList('procs', ['.*']);
  const stats = input.child('stats');
  // `stats.process` is the later 1.x spelling of `stats.proc`.
  const proc = stats.bool('proc', stats.bool('process', true));
  const unknown = [
    ...input.keys().filter((k) => !KNOWN.has(k)).map((k) => input.pathOf(k)),
    ...stats.keys().filter((k) => !KNOWN_STATS.has(k)).map((k) => stats.pathOf(k)),
  ];
  return {
    periodMs,
    procs,
    system: stats.bool('system', true),
    proc: proc && !(sources.length === 1 && sources[0] === '^$') && sources.length > 0,
    filesystem: stats.bool('filesystem', true),
    cpuPerCore: input.bool('cpu_per_core', false),
    unknown,
  };
}

/** A matcher over process names for a list of regexps (the single `.*` default matches without running a regexp). */
export function nameMatcher(procs: readonly RegExp[]): (name: string) => boolean {
  if (procs.some((r) => r.source === '.*' && r.flags === '')) return () => true;
  return (name) => {
    for (const r of procs) if (r.test(name)) return true;
    return false;
  };
}
