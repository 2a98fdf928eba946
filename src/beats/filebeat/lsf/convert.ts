import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Beater } from '../../../libbeat/beat/beater.js';
import { BeatsError } from '../../../libbeat/common/errors.js';

type Obj = Record<string, unknown>;

/**
 * Maps a Logstash Forwarder JSON config to the Filebeat config that does the same:
 * `files[].paths` → prospectors (`-` → input_type stdin), `fields.type` → document_type, other `fields` →
 * fields with fields_under_root (LSF put them at the event root), `dead time` → ignore_older and close_inactive,
 * `network.servers` → output.logstash.hosts, `ssl ca/certificate/key` → output.logstash.tls, `timeout` → timeout,
 * and LSF's `.logstash-forwarder` offsets imported through `lsf_state_file`. Throws a user error on bad input.
 */
export function convertLsfConfig(text: string, file = 'config'): Obj {
  let cfg: unknown;
  try {
    // LSF accepted `#` and `//` comment lines in its JSON.
    cfg = JSON.parse(text.split('\n').filter((l) => !/^\s*(#|\/\/)/.test(l)).join('\n'));
  } catch (err) {
    throw new BeatsError('BEAT_ERR_CONFIG', `${file}: not a Logstash Forwarder JSON config: ${(err as Error).message}`, { userError: true });
  }
  if (!isObj(cfg)) throw new BeatsError('BEAT_ERR_CONFIG', `${file}: a Logstash Forwarder config is a JSON object`, { userError: true });
  const files = Array.isArray(cfg['files']) ? cfg['files'] : [];
  if (files.length === 0) throw new BeatsError('BEAT_ERR_CONFIG', `${file}: files: at least one entry with paths is expected`, { userError: true });
  const prospectors = files.map((f, i) => prospectorOf(f, `${file}: files.${i}`));
  const out: Obj = {
    filebeat: {
      prospectors,
      registry_file: '.filebeat',
      lsf_state_file: '.logstash-forwarder',
    },
    output: { logstash: logstashOf(isObj(cfg['network']) ? cfg['network'] : {}) },
  };
  return out;
}

function prospectorOf(f: unknown, where: string): Obj {
  if (!isObj(f)) throw new BeatsError('BEAT_ERR_CONFIG', `${where}: must be an object`, { userError: true });
  const paths = Array.isArray(f['paths']) ? f['paths'].filter((p): p is string => typeof p === 'string') : [];
  if (paths.length === 0) throw new BeatsError('BEAT_ERR_CONFIG', `${where}.paths: at least one path is expected`, { userError: true });
  const p: Obj = {};
  const stdin = paths.includes('-');
  if (stdin) p['input_type'] = 'stdin';
  else p['paths'] = paths;
  const fields = isObj(f['fields']) ? { ...f['fields'] } : {};
  if (typeof fields['type'] === 'string') {
    p['document_type'] = fields['type'];
    delete fields['type'];
  }
  if (Object.keys(fields).length > 0) {
    p['fields'] = fields;
    p['fields_under_root'] = true;
  }
  const dead = f['dead time'];
  if (typeof dead === 'string' && !stdin) {
    p['ignore_older'] = dead;
    p['close_inactive'] = dead;
  }
  return p;
}

function logstashOf(net: Obj): Obj {
  const ls: Obj = {};
  const servers = Array.isArray(net['servers']) ? net['servers'] : [];
  ls['hosts'] = servers.length > 0 ? servers : ['localhost:5044'];
  if (typeof net['timeout'] === 'number') ls['timeout'] = net['timeout'];
  const tls: Obj = {};
  if (typeof net['ssl ca'] === 'string') tls['certificate_authorities'] = [net['ssl ca']];
  if (typeof net['ssl certificate'] === 'string') tls['certificate'] = net['ssl certificate'];
  if (typeof net['ssl key'] === 'string') tls['certificate_key'] = net['ssl key'];
  if (Object.keys(tls).length > 0) ls['tls'] = tls;
  return ls;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `filebeat -convert-lsf FILE`: a beater that prints the converted YAML and ends. */
export function convertLsfCommand(file: string): Beater {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BeatsError('BEAT_ERR_CONFIG', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { userError: true });
  }
  const yaml = `# Converted from the Logstash Forwarder config ${file}.\n# Review ssl settings: Logstash needs the beats input (port 5044 by default) instead of lumberjack.\n${stringify(convertLsfConfig(text, file))}`;
  return {
    run: async () => void process.stdout.write(yaml),
    stop: () => {},
  };
}
