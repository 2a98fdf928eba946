import { BeatsError } from '../common/errors.js';
import type { FlagSpec } from './beater.js';

/** The flags every beat has (Beats 1.0, plus `-E` and `-test-output` users know from later versions). */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'c', type: 'string', description: 'Configuration file (default <beat>.yml in the working directory, then etc/<beat>.yml)', short: 'c' },
  { name: 'e', type: 'boolean', description: 'Log to stderr and disable syslog/file output', short: 'e' },
  { name: 'v', type: 'boolean', description: 'Log at INFO level', short: 'v' },
  { name: 'd', type: 'string', description: 'Enable debug output for comma-separated selectors (* = all)', short: 'd' },
  { name: 'N', type: 'boolean', description: 'Disable actual publishing for testing (dry run)', short: 'N' },
  { name: 'E', type: 'string', description: 'Override a config setting: -E key=value (repeatable)', short: 'E' },
  { name: 'configtest', type: 'boolean', description: 'Test the configuration and exit' },
  { name: 'test-output', type: 'boolean', description: 'Connect to each configured output, report, and exit' },
  { name: 'version', type: 'boolean', description: 'Print the version and exit' },
  { name: 'cpuprofile', type: 'string', description: 'Write a CPU profile (.cpuprofile, Chrome DevTools format) to this file' },
  { name: 'memprofile', type: 'string', description: 'Write a heap snapshot to this file at exit' },
  { name: 'httpprof', type: 'string', description: 'Serve internal stats on [host]:port (like http.enabled)' },
  { name: 'help', type: 'boolean', description: 'Show this help', short: 'h' },
];

const LONG_ALIASES: Record<string, string> = {
  config: 'c',
  'log-to-stderr': 'e',
  verbose: 'v',
  debug: 'd',
  'dry-run': 'N',
  override: 'E',
  'config-test': 'configtest',
  'test-config': 'configtest',
};

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses Go-flag-style arguments: `-name value`, `-name=value`, `--name value`, `--name=value`, boolean flags
 * alone or `-name=true|false`. Both single and double dashes are accepted for every flag (Beats 1.0 users type
 * `-configtest`, GNU users `--configtest`). `-E` may repeat. Unknown flags are a user error naming the flag.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): FlagValues {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  const out: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      throw new BeatsError('BEAT_ERR_FLAG', `unexpected argument ${JSON.stringify(arg)} (flags start with -)`);
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = LONG_ALIASES[rawName] ?? rawName;
    const spec = byName.get(name);
    if (!spec) throw new BeatsError('BEAT_ERR_FLAG', `flag provided but not defined: -${rawName} (see -h)`);
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (eq >= 0) {
        const v = body.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new BeatsError('BEAT_ERR_FLAG', `-${rawName}: expected true or false, got ${v}`);
        value = v === 'true';
      } else value = true;
    } else if (eq >= 0) value = body.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new BeatsError('BEAT_ERR_FLAG', `flag needs an argument: -${rawName}`);
      value = next;
      i++;
    }
    if (spec.name === 'E') {
      const list = (out['E'] as string[] | undefined) ?? [];
      list.push(value as string);
      out['E'] = list;
    } else out[spec.name] = value;
  }
  return out;
}

export function usage(beat: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage of ${beat}:`];
  for (const s of specs) {
    const arg = s.type === 'string' ? ' value' : '';
    lines.push(`  -${s.short ?? s.name}${arg}`.padEnd(24) + s.description);
  }
  return lines.join('\n');
}
