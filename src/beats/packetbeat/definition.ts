import type { BeatDefinition } from '../../libbeat/beat/beater.js';
import { PacketbeatBeater } from './beater.js';
import { builtinProtocols } from './protos/builtin.js';

/** Packetbeat: sniffs the network, pairs requests with responses and ships one transaction event each. */
export const packetbeatDefinition: BeatDefinition = {
  name: 'packetbeat',
  description: 'Packetbeat: network transactions (async: drops events when the queue is full while sniffing live)',
  flags: [
    { name: 'I', type: 'string', description: 'Read packets from this pcap/pcapng file instead of sniffing', short: 'I' },
    { name: 't', type: 'boolean', description: 'Read the file as fast as possible (ignore packet timestamps)', short: 't' },
    { name: 'l', type: 'string', description: 'Read the file N times (0 = loop forever; default 1)', short: 'l' },
    { name: 'O', type: 'boolean', description: 'Read the file one packet at a time (press Enter for the next)', short: 'O' },
    { name: 'dump', type: 'string', description: 'Write every captured packet to this pcap file' },
    { name: 'devices', type: 'boolean', description: 'List the devices available for sniffing and exit' },
    { name: 'waitstop', type: 'string', description: 'Seconds to wait before shutting down' },
  ],
  create: (beat) => new PacketbeatBeater(beat, builtinProtocols()),
};
