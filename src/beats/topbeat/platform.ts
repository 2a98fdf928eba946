import type { SystemSource } from './types.js';

/**
 * The source for this machine: /proc readers on Linux; elsewhere (macOS, Windows, BSDs) the `systeminformation`
 * package, loaded only there so that Linux never pays for it. `TOPBEAT_SOURCE=systeminformation` forces the
 * portable source (used by its tests on Linux).
 */
export async function openSystemSource(env: NodeJS.ProcessEnv = process.env): Promise<SystemSource> {
  const forced = env['TOPBEAT_SOURCE'];
  if (process.platform === 'linux' && forced !== 'systeminformation') {
    const { LinuxSource } = await import('./linux/source.js');
    return new LinuxSource();
  }
  const { PortableSource } = await import('./portable/source.js');
  return new PortableSource();
}
