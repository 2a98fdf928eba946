import { networkInterfaces } from 'node:os';
import type { BeatEvent } from '../../../libbeat/common/event.js';

/** Finds the process owning a local socket (procs.*); undefined when unknown. */
export interface ProcessFinder {
  find(ip: string, port: number): string | undefined;
}

export interface EnrichOptions {
  /** Addresses of this host: decide `direction`, `server` / `client_server`, `ignore_outgoing`. */
  localIps: ReadonlySet<string>;
  /** `shipper.ignore_outgoing`: drop transactions this host started to another host (the peer's shipper has them). */
  ignoreOutgoing: boolean;
  /** The shipper name, put in `server` / `client_server` for local endpoints. */
  shipperName?: string | undefined;
  procs?: ProcessFinder | undefined;
}

/** The addresses of this machine's interfaces (textual, as the decoder writes them). */
export function localAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.add(a.address.replace(/%.*$/, ''));
  }
  return out;
}

/**
 * Adds what the engine knows to a protocol's transaction event: `direction` (`out` when this host is the client of
 * a remote server, `in` when it is the server), `server` / `client_server`, `proc` / `client_proc`; returns false
 * when the event is to be dropped (`ignore_outgoing`).
 */
export function enrichTransaction(event: BeatEvent, opts: EnrichOptions): boolean {
  const f = event.fields;
  const clientIp = typeof f['client_ip'] === 'string' ? f['client_ip'] : undefined;
  const serverIp = typeof f['ip'] === 'string' ? f['ip'] : undefined;
  const clientLocal = clientIp !== undefined && opts.localIps.has(clientIp);
  const serverLocal = serverIp !== undefined && opts.localIps.has(serverIp);
  if (clientLocal && !serverLocal) {
    if (opts.ignoreOutgoing) return false;
    f['direction'] = 'out';
  } else if (serverLocal) {
    f['direction'] = 'in';
  }
  if (opts.shipperName !== undefined) {
    if (serverLocal && f['server'] === undefined) f['server'] = opts.shipperName;
    if (clientLocal && f['client_server'] === undefined) f['client_server'] = opts.shipperName;
  }
  if (opts.procs !== undefined) {
    const port = typeof f['port'] === 'number' ? f['port'] : undefined;
    const clientPort = typeof f['client_port'] === 'number' ? f['client_port'] : undefined;
    if (serverLocal && port !== undefined) {
      const p = opts.procs.find(serverIp!, port);
      if (p !== undefined) f['proc'] = p;
    }
    if (clientLocal && clientPort !== undefined) {
      const p = opts.procs.find(clientIp!, clientPort);
      if (p !== undefined) f['client_proc'] = p;
    }
  }
  return true;
}
