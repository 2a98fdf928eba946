// MySQL transactions/s: a real MySQL capture's conversation repeated on many connections, through the parser
// alone and through the whole engine, against tshark's mysql dissector on the same file. Run: npm run bench -- mysql
import { createMysqlProtocol } from '../../src/beats/packetbeat/protos/mysql/index.js';
import { chunksOfPcap } from '../../test/unit/packetbeat/protos/mysql/harness.js';
import { runProtocolBench } from '../../test/unit/packetbeat/protos/mysql/bench-support.js';

const CAPTURES = process.env['CAPTURES_DIR'] ?? '/work/shared/captures';
const conns = Number(process.env['BENCH_CONNS'] ?? 1500);
for (const name of ['mysql', 'mysql_prepared']) {
  console.log(`--- ${name}.pcap conversation`);
  await runProtocolBench({ name: 'mysql', factory: createMysqlProtocol, port: 13306, chunks: chunksOfPcap(`${CAPTURES}/${name}.pcap`, 13306), tshark: 'mysql', conns });
}
