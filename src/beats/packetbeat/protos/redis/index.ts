import type { ProtocolFactory } from '../protocol.js';
import { readCommonConfig } from '../common-config.js';
import { RedisProtocol } from './redis.js';

export const REDIS_DEFAULT_PORTS = [6379] as const;

/** `protocols.redis`: only the common options (`ports`, `send_request`, `send_response`, `transaction_timeout`). */
export const createRedisProtocol: ProtocolFactory = (cfg, ctx) => new RedisProtocol(readCommonConfig(cfg, REDIS_DEFAULT_PORTS), ctx);

export { RedisProtocol } from './redis.js';
export { RespParser } from './resp-parser.js';
