import type { ConfigNode } from '../../libbeat/config/config-node.js';
import { BeatsError } from '../../libbeat/common/errors.js';

/** `interfaces.*` plus the CLI flags that set its hidden options (`-I`, `-l`, `-t`, `-O`, `-dump`). */
export interface InterfacesConfig {
  device: string;
  type: 'pcap' | 'af_packet';
  /** How live packets are captured: the native libpcap binding, a tcpdump child process, or auto (binding if present). */
  source: 'auto' | 'libpcap' | 'tcpdump';
  snaplen: number;
  bufferSizeMb: number;
  withVlans: boolean;
  bpfFilter: string | undefined;
  /** `-I`: read this capture file instead of sniffing. */
  file: string | undefined;
  /** `-l`: number of times to read the file, 0 = forever. */
  loop: number;
  /** `-t`: read the file as fast as possible. */
  topSpeed: boolean;
  /** `-O`: one packet per Enter. */
  oneAtATime: boolean;
  /** `-dump`: write every captured packet to this pcap file. */
  dumpfile: string | undefined;
}

export interface ProcsConfig {
  enabled: boolean;
  monitored: { process: string; cmdlineGrep: string }[];
}

export interface PacketbeatConfig {
  interfaces: InterfacesConfig;
  procs: ProcsConfig;
  ignoreOutgoing: boolean;
  /** Extra seconds to wait before shutting down (`-waitstop`). */
  waitstopSec: number;
}

type Flags = Readonly<Record<string, string | boolean | undefined>>;

function flagInt(flags: Flags, name: string, def: number): number {
  const v = flags[name];
  if (v === undefined || v === false) return def;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0) {
    throw new BeatsError('BEAT_ERR_FLAG', `-${name} must be a whole number >= 0, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Reads the Packetbeat sections of the config and the Packetbeat flags. Mistakes throw ConfigError / flag errors. */
export function readPacketbeatConfig(root: ConfigNode, flags: Flags): PacketbeatConfig {
  const i = root.child('interfaces');
  const type = i.str('type', 'pcap');
  if (type === 'pf_ring' || type === 'pfring') {
    throw i.error('type', 'pf_ring needs a kernel module this build does not support; use pcap or af_packet');
  }
  if (type !== 'pcap' && type !== 'af_packet') throw i.error('type', `must be one of pcap, af_packet, got ${JSON.stringify(type)}`);
  const file = typeof flags['I'] === 'string' ? flags['I'] : i.str('file');
  const dump = typeof flags['dump'] === 'string' ? flags['dump'] : i.str('dumpfile');
  const procs = root.child('procs');
  const monitored = procs.children('monitored').map((m) => {
    const process = m.str('process');
    const grep = m.str('cmdline_grep');
    if (process === undefined || process === '') throw m.error('process', 'is required (the name to report)');
    if (grep === undefined || grep === '') throw m.error('cmdline_grep', 'is required (a substring of the command line)');
    return { process, cmdlineGrep: grep };
  });
  return {
    interfaces: {
      device: i.str('device', 'any'),
      type,
      source: i.oneOf('source', ['auto', 'libpcap', 'tcpdump'] as const, 'auto'),
      snaplen: i.int('snaplen', 65535, { min: 64, max: 262144 }),
      bufferSizeMb: i.int('buffer_size_mb', 30, { min: 1, max: 4096 }),
      withVlans: i.bool('with_vlans', false),
      bpfFilter: i.str('bpf_filter') || undefined,
      file: file || undefined,
      loop: flagInt(flags, 'l', i.int('loop', 1, { min: 0 })),
      topSpeed: flags['t'] === true || i.bool('top_speed', false),
      oneAtATime: flags['O'] === true || i.bool('one_at_a_time', false),
      dumpfile: dump || undefined,
    },
    procs: { enabled: procs.bool('enabled', false), monitored },
    ignoreOutgoing: root.bool('shipper.ignore_outgoing', false),
    waitstopSec: flagInt(flags, 'waitstop', 0),
  };
}
