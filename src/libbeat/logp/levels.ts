/** Beats log levels, most severe first. `warn` is accepted as an alias of `warning`. */
export const LEVELS = ['critical', 'error', 'warning', 'info', 'debug'] as const;
export type Level = (typeof LEVELS)[number];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function parseLevel(text: string): Level | undefined {
  const t = text.toLowerCase();
  if (t === 'warn') return 'warning';
  return (LEVELS as readonly string[]).includes(t) ? (t as Level) : undefined;
}
