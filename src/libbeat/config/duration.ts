const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration (`1h30m`, `10s`, `250ms`, `-1s`) into milliseconds. A bare number is read in
 * `bareUnit`. Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string, bareUnit: 's' | 'ms' = 's'): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * (bareUnit === 's' ? 1000 : 1);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let sign = 1;
  let i = 0;
  if (s[0] === '-') {
    sign = -1;
    i = 1;
  }
  re.lastIndex = i;
  let total = 0;
  let matched = false;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = true;
  }
  return matched ? sign * total : undefined;
}
