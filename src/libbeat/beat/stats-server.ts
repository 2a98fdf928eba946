import { createServer, type Server } from 'node:http';
import type { Registry } from '../monitoring/registry.js';
import type { BeatInfo } from './info.js';

/**
 * The optional HTTP stats endpoint (`http.enabled`, `http.host`, `http.port`, as in later Beats): `GET /` returns
 * the beat's identity, `GET /stats` the internal counters as JSON.
 */
export function startStatsServer(info: BeatInfo, metrics: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (url === '/') body = { beat: info.beat, name: info.name, hostname: info.hostname, version: info.version };
    else if (url === '/stats') body = metrics.snapshot();
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body, null, 2) + '\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.unref();
      resolve(server);
    });
  });
}
