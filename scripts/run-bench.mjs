// Runs every compiled benchmark (dist/bench/**/*.bench.js) one after another, each in its own process so that RSS
// figures are not mixed. Usage: node scripts/run-bench.mjs [name-filter ...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/bench/', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.bench.js')) files.push(p);
  }
};
walk(root);
let failed = 0;
for (const f of files.sort()) {
  const rel = relative(root, f);
  if (filters.length > 0 && !filters.some((x) => rel.includes(x))) continue;
  console.log(`\n=== ${rel} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
