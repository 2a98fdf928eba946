// PostgreSQL transactions/s: the real PostgreSQL captures' conversations repeated on many connections, through the
// parser alone and through the whole engine, against tshark's pgsql dissector on the same file.
// Run: npm run bench -- pgsql
import { createPgsqlProtocol } from '../../src/beats/packetbeat/protos/pgsql/index.js';
import { chunksOfPcap } from '../../test/unit/packetbeat/protos/mysql/harness.js';
import { runProtocolBench } from '../../test/unit/packetbeat/protos/mysql/bench-support.js';

const CAPTURES = process.env['CAPTURES_DIR'] ?? '/work/shared/captures';
const conns = Number(process.env['BENCH_CONNS'] ?? 1500);
for (const name of ['pgsql', 'pgsql_extended']) {
  console.log(`--- ${name}.pcap conversation`);
  await runProtocolBench({ name: 'pgsql', factory: createPgsqlProtocol, port: 15432, chunks: chunksOfPcap(`${CAPTURES}/${name}.pcap`, 15432), tshark: 'pgsql', conns });
}
