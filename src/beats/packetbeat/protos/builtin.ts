import { ProtocolRegistry } from './registry.js';
import { createHttpProtocol } from './http/index.js';
import { createDnsProtocol } from './dns/index.js';
import { createMysqlProtocol } from './mysql/index.js';
import { createPgsqlProtocol } from './pgsql/index.js';
import { createRedisProtocol } from './redis/index.js';
import { createMemcacheProtocol } from './memcache/index.js';
import { createThriftProtocol } from './thrift/index.js';
import { createMongodbProtocol } from './mongodb/index.js';

/** The protocols Packetbeat ships with. */
export function builtinProtocols(): ProtocolRegistry {
  const r = new ProtocolRegistry();
  r.register('http', createHttpProtocol);
  r.register('dns', createDnsProtocol);
  r.register('mysql', createMysqlProtocol);
  r.register('pgsql', createPgsqlProtocol);
  r.register('redis', createRedisProtocol);
  r.register('memcache', createMemcacheProtocol);
  r.register('thrift', createThriftProtocol);
  r.register('mongodb', createMongodbProtocol);
  return r;
}
