/**
 * The capture filter generated from the protocols' ports when `interfaces.bpf_filter` is absent:
 * `tcp port 80 or udp port 53 ...`, plus non-first IPv4 fragments (they carry no ports) when UDP is sniffed.
 * With `with_vlans`, `F or (vlan and F)` so tagged frames match too.
 */
export function generateBpfFilter(ports: { tcp: readonly number[]; udp: readonly number[] }, withVlans: boolean): string {
  const parts = [...ports.tcp.map((p) => `tcp port ${p}`), ...ports.udp.map((p) => `udp port ${p}`)];
  if (parts.length === 0) return '';
  if (ports.udp.length > 0) parts.push('(ip[6:2] & 0x1fff != 0)');
  const f = parts.join(' or ');
  return withVlans ? `${f} or (vlan and (${f}))` : f;
}
