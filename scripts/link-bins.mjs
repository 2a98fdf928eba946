// Links this package's own `bin` entries into node_modules/.bin, so `npx topbeat` (and filebeat, packetbeat) run
// the checkout directly. Without the links npx treats the name as a package to install and rebuilds the whole
// project into its cache on every new checkout.
import { mkdirSync, readFileSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(pkg.bin ?? {})) {
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, join(root, target)), link);
  chmodSync(join(root, target), 0o755);
}
