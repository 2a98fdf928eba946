import { readFileSync } from 'node:fs';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import type { ConfigNode } from '../config/config-node.js';

/** Beats spells TLS versions `1.0`, `1.1`, `1.2`, `1.3` (later also `TLSv1.2`); Node wants `TLSv1.2`. */
const VERSIONS: Record<string, SecureVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
  tlsv1: 'TLSv1',
  'tlsv1.0': 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
};

function version(node: ConfigNode, key: string): SecureVersion | undefined {
  const raw = node.get(key);
  if (raw === undefined) return undefined;
  const v = VERSIONS[String(raw).toLowerCase()];
  if (!v) throw node.error(key, `must be one of 1.0, 1.1, 1.2, 1.3, got ${JSON.stringify(raw)}`);
  return v;
}

function readPem(node: ConfigNode, key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw node.error(key, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Reads an output's `tls` section (Beats 1.0: `certificate_authorities`, `certificate`, `certificate_key`,
 * `insecure`, `cipher_suites`, `curve_types`, `min_version`, `max_version`; later `enabled`,
 * `verification_mode: none`) into Node TLS options. Returns undefined when TLS is not configured.
 * Files are read once here so a missing file is a config error at startup, naming the option.
 */
export function loadTlsOptions(parent: ConfigNode, key = 'tls'): ConnectionOptions | undefined {
  // Beats 5+ spells the section `ssl`; accept both.
  const name = parent.has(key) ? key : parent.has('ssl') ? 'ssl' : undefined;
  if (name === undefined) return undefined;
  const node = parent.child(name);
  if (!node.bool('enabled', true)) return undefined;
  const opts: ConnectionOptions = {};
  const cas = node.strList('certificate_authorities', []);
  if (cas.length > 0) opts.ca = cas.map((p, i) => readPem(node, `certificate_authorities.${i}`, p));
  const cert = node.str('certificate');
  const key_ = node.str('certificate_key') ?? node.str('key');
  if ((cert === undefined) !== (key_ === undefined)) {
    throw node.error(cert === undefined ? 'certificate' : 'certificate_key', 'certificate and certificate_key must be set together');
  }
  if (cert !== undefined && key_ !== undefined) {
    opts.cert = readPem(node, 'certificate', cert);
    opts.key = readPem(node, 'certificate_key', key_);
    const pass = node.str('key_passphrase');
    if (pass !== undefined) opts.passphrase = pass;
  }
  const verification = node.str('verification_mode', 'full');
  if (!['full', 'strict', 'certificate', 'none'].includes(verification)) {
    throw node.error('verification_mode', `must be full, strict, certificate or none, got ${JSON.stringify(verification)}`);
  }
  const insecure = node.bool('insecure', false) || verification === 'none';
  opts.rejectUnauthorized = !insecure;
  if (verification === 'certificate') opts.checkServerIdentity = () => undefined;
  const minVersion = version(node, 'min_version');
  const maxVersion = version(node, 'max_version');
  if (minVersion) opts.minVersion = minVersion;
  if (maxVersion) opts.maxVersion = maxVersion;
  const ciphers = node.strList('cipher_suites', []);
  if (ciphers.length > 0) opts.ciphers = ciphers.join(':');
  const curves = node.strList('curve_types', []);
  if (curves.length > 0) opts.ecdhCurve = curves.join(':');
  return opts;
}
