import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../src/libbeat/config/load.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { loadFieldsFile } from '../../../src/libbeat/template/fields.js';
import { buildProperties } from '../../../src/libbeat/template/mapping.js';
import { readPacketbeatConfig } from '../../../src/beats/packetbeat/config.js';
import { builtinProtocols } from '../../../src/beats/packetbeat/protos/builtin.js';
import { buildProtocols, protocolPorts } from '../../../src/beats/packetbeat/sniffer/protocols.js';
import { generateBpfFilter } from '../../../src/beats/packetbeat/sniffer/bpf.js';
import { parseProcNetTcp, ProcsWatcher } from '../../../src/beats/packetbeat/sniffer/procs.js';
import { enrichTransaction } from '../../../src/beats/packetbeat/sniffer/enrich.js';
import { REPO_ROOT } from '../../support/run-cli.js';

test('etc/packetbeat.yml: every protocol with its default ports, file output, sane interfaces', () => {
  const cfg = loadConfigFile(join(REPO_ROOT, 'etc/packetbeat.yml'), { overrides: [] });
  const pb = readPacketbeatConfig(cfg, {});
  assert.equal(pb.interfaces.device, 'any');
  assert.equal(pb.interfaces.snaplen, 65535);
  assert.equal(pb.procs.enabled, false);
  assert.equal(pb.procs.monitored.length, 4);
  assert.equal(cfg.str('output.file.path'), './data/packetbeat');
  const sections = cfg.child('protocols');
  assert.deepEqual(sections.keys().sort(), ['dns', 'http', 'memcache', 'mongodb', 'mysql', 'pgsql', 'redis', 'thrift']);
  const ports = Object.fromEntries(sections.keys().map((k) => [k, sections.child(k).intList('ports', [])]));
  assert.deepEqual(ports, { dns: [53], http: [80, 8080, 8000, 5000, 8002], memcache: [11211], mysql: [3306], pgsql: [5432], redis: [6379], thrift: [9090], mongodb: [27017] });
  // builds with the real protocols when they are all implemented
  try {
    const protos = buildProtocols(builtinProtocols(), sections, { log: nopLogger, now: () => 0, report: () => {} });
    const p = protocolPorts(protos);
    assert.ok(p.tcp.includes(80) && p.udp.includes(53));
  } catch (err) {
    assert.match((err as Error).message, /not implemented yet/);
  }
});

test('etc/fields/packetbeat.fields.yml has the 1.0 transaction and protocol fields and maps', () => {
  const groups = loadFieldsFile(join(REPO_ROOT, 'etc/fields/packetbeat.fields.yml'));
  const names = new Set<string>();
  const walk = (prefix: string, fields: readonly { name: string; fields?: readonly unknown[] }[]): void => {
    for (const f of fields) {
      const n = prefix ? `${prefix}.${f.name}` : f.name;
      names.add(n);
      if (f.fields) walk(n, f.fields as { name: string }[]);
    }
  };
  for (const g of groups) walk('', g.fields as { name: string }[]);
  for (const n of [
    'direction', 'status', 'method', 'path', 'query', 'params', 'notes', 'responsetime', 'bytes_in', 'bytes_out', 'server', 'client_server',
    'ip', 'port', 'client_ip', 'client_port', 'transport', 'proc', 'client_proc', 'request', 'response', 'real_ip', 'client_location',
    'http.code', 'http.phrase', 'http.request_headers', 'http.response_headers', 'http.content_length',
    'mysql.iserror', 'mysql.affected_rows', 'mysql.insert_id', 'mysql.num_fields', 'mysql.num_rows', 'mysql.query', 'mysql.error_code', 'mysql.error_message',
    'pgsql.query', 'pgsql.iserror', 'pgsql.error_code', 'pgsql.error_message', 'pgsql.error_severity', 'pgsql.num_fields', 'pgsql.num_rows',
    'redis.return_value', 'redis.error', 'thrift.params', 'thrift.service', 'thrift.return_value', 'thrift.exceptions',
    'mongodb.error', 'mongodb.fullCollectionName', 'mongodb.numberToSkip', 'mongodb.numberToReturn', 'mongodb.numberReturned', 'mongodb.startingFrom',
    'mongodb.query', 'mongodb.returnFieldsSelector', 'mongodb.selector', 'mongodb.update', 'mongodb.cursorId',
    'dns.id', 'dns.op_code', 'dns.flags.authoritative', 'dns.flags.recursion_allowed', 'dns.flags.recursion_desired', 'dns.flags.truncated_response',
    'dns.response_code', 'dns.question.name', 'dns.question.type', 'dns.question.class', 'dns.answers_count', 'dns.answers.data',
    'dns.authorities_count', 'dns.authorities.name', 'dns.additionals_count', 'dns.additionals.ttl',
    'memcache.protocol_type', 'memcache.request.line', 'memcache.request.cas_unique', 'memcache.response.stats', 'memcache.response.version',
  ]) {
    assert.ok(names.has(n), `field ${n} missing`);
  }
  const props = buildProperties(groups, 7) as Record<string, unknown>;
  assert.ok(props['http'] !== undefined && props['client_ip'] !== undefined);
});

test('generated BPF filter', () => {
  assert.equal(generateBpfFilter({ tcp: [80, 3306], udp: [] }, false), 'tcp port 80 or tcp port 3306');
  assert.equal(
    generateBpfFilter({ tcp: [80], udp: [53] }, true),
    'tcp port 80 or udp port 53 or (ip[6:2] & 0x1fff != 0) or (vlan and (tcp port 80 or udp port 53 or (ip[6:2] & 0x1fff != 0)))',
  );
  assert.equal(generateBpfFilter({ tcp: [], udp: [] }, false), '');
});

test('interfaces and procs config mistakes name the option', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ interfaces: { type: 'pf_ring' } }, /interfaces\.type: pf_ring/],
    [{ interfaces: { type: 'foo' } }, /interfaces\.type: must be one of pcap, af_packet/],
    [{ interfaces: { snaplen: 10 } }, /interfaces\.snaplen: must be at least 64/],
    [{ procs: { monitored: [{ process: 'x' }] } }, /procs\.monitored\.0\.cmdline_grep: is required/],
  ];
  for (const [raw, re] of bad) assert.throws(() => readPacketbeatConfig(new ConfigNode(raw, 'pb.yml'), {}), re);
  assert.throws(() => readPacketbeatConfig(new ConfigNode({}), { l: 'many' }), /-l must be a whole number/);
  const ok = readPacketbeatConfig(new ConfigNode({ shipper: { ignore_outgoing: true } }), { I: 'x.pcap', t: true, l: '0', waitstop: '2', dump: 'd.pcap' });
  assert.deepEqual([ok.ignoreOutgoing, ok.interfaces.file, ok.interfaces.topSpeed, ok.interfaces.loop, ok.waitstopSec, ok.interfaces.dumpfile], [true, 'x.pcap', true, 0, 2, 'd.pcap']);
});

test('/proc/net/tcp parsing', () => {
  const v4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 0 1 0000000000000000 100 0 0 10 0`;
  assert.deepEqual(parseProcNetTcp(v4, false), [{ ip: '127.0.0.1', port: 8080, inode: 12345 }]);
  const v6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1
   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 778 1`;
  assert.deepEqual(parseProcNetTcp(v6, true), [
    { ip: '::1', port: 8080, inode: 777 },
    { ip: '127.0.0.1', port: 80, inode: 778 },
  ]);
});

test('procs: a fake /proc tree maps sockets to monitored processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'pb-proc-'));
  mkdirSync(join(root, 'net'));
  mkdirSync(join(root, '42', 'fd'), { recursive: true });
  mkdirSync(join(root, '43', 'fd'), { recursive: true });
  writeFileSync(join(root, '42', 'cmdline'), 'nginx: master process\0-g\0daemon off;');
  writeFileSync(join(root, '43', 'cmdline'), '/usr/bin/curl\0http://x');
  symlinkSync('socket:[1001]', join(root, '42', 'fd', '3'));
  symlinkSync('/dev/null', join(root, '42', 'fd', '0'));
  symlinkSync('socket:[2002]', join(root, '43', 'fd', '3'));
  const head = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  writeFileSync(join(root, 'net', 'tcp'), head + '   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1\n   1: 0100007F:C350 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 2002 1\n');
  const w = new ProcsWatcher([{ process: 'nginx', cmdlineGrep: 'nginx' }, { process: 'curl', cmdlineGrep: 'curl' }], nopLogger, { procRoot: root });
  assert.equal(w.find('127.0.0.1', 80), 'nginx'); // listening on 0.0.0.0:80
  assert.equal(w.find('127.0.0.1', 50000), 'curl');
  assert.equal(w.find('127.0.0.1', 9999), undefined);
  const ev = { timestamp: new Date(), fields: { client_ip: '127.0.0.1', client_port: 50000, ip: '127.0.0.1', port: 80 } as Record<string, unknown> };
  enrichTransaction(ev, { localIps: new Set(['127.0.0.1']), ignoreOutgoing: false, procs: w, shipperName: 'host1' });
  assert.deepEqual([ev.fields['proc'], ev.fields['client_proc'], ev.fields['server'], ev.fields['client_server'], ev.fields['direction']], ['nginx', 'curl', 'host1', 'host1', 'in']);
});

test('procs on the real /proc: this process is found by its listening socket', async (t) => {
  let self: string;
  try {
    self = readFileSync('/proc/self/cmdline', 'latin1');
  } catch {
    return t.skip('no /proc (not Linux)');
  }
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const grep = self.split('\0').find((s) => s.endsWith('.js')) ?? self.split('\0')[0]!;
    const w = new ProcsWatcher([{ process: 'me', cmdlineGrep: grep }], nopLogger);
    assert.equal(w.find('127.0.0.1', port), 'me');
  } finally {
    server.close();
  }
});
