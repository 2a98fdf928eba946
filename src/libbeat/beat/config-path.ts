import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/**
 * The config file when `-c` is not given: `<beat>.yml` in the working directory (Beats 5+ habit), else the bundled
 * `etc/<beat>.yml` of this package, else `/etc/<beat>/<beat>.yml` (Beats 1.0 packages).
 */
export function defaultConfigPath(beat: string): string {
  const local = resolve(`${beat}.yml`);
  if (existsSync(local)) return local;
  const bundled = join(fileURLToPath(new URL('../../../../', import.meta.url)), 'etc', `${beat}.yml`);
  if (existsSync(bundled)) return bundled;
  return `/etc/${beat}/${beat}.yml`;
}
