import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { LogstashClient, type LogstashClientOptions } from '../../../src/libbeat/outputs/logstash/client.js';
import type { LumberjackReceiver } from './receiver.js';

/** A Logstash output client aimed at a test receiver, with test-friendly defaults. */
export function clientFor(rx: LumberjackReceiver, over: Partial<LogstashClientOptions> = {}): LogstashClient {
  return new LogstashClient({
    host: { host: '127.0.0.1', port: rx.port },
    index: 'testbeat',
    timeoutMs: 2000,
    bulkMaxSize: 2048,
    compressionLevel: 3,
    tls: undefined,
    log: nopLogger,
    ...over,
  });
}
