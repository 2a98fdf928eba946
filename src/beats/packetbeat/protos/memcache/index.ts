import type { ProtocolFactory } from '../protocol.js';
import { readMemcacheConfig } from './config.js';
import { MemcacheProtocol } from './memcache.js';

/**
 * `protocols.memcache`. The plugin is both a TcpProtocol and a UdpProtocol (`parseUdp`, `flush`): memcached
 * serves TCP and UDP on the same port, and the engine routes each transport to its entry points.
 */
export const createMemcacheProtocol: ProtocolFactory = (cfg, ctx) => new MemcacheProtocol(readMemcacheConfig(cfg), ctx);

export { MemcacheProtocol } from './memcache.js';
export { McStream } from './stream.js';
