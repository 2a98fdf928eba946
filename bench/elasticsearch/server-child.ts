// The ES test server in its own process for the benchmark (count-only bulk), so client and server do not share
// one event loop. Prints its URL, then reports `items <n>` on stdin "stats\n"; exits when stdin closes.
import { startEsServer } from '../../test/support/es-server/server.js';

const s = await startEsServer({ version: process.env['ES_BENCH_VERSION'] ?? '8.11.1', countOnly: true });
process.stdout.write(`${s.url}\n`);
process.stdin.on('data', (d: Buffer) => {
  if (d.toString().includes('stats')) process.stdout.write(`items ${s.stats.items}\n`);
});
process.stdin.on('end', () => void s.close().then(() => process.exit(0)));
