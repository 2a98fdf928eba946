import { readFile, statfs } from 'node:fs/promises';
import type { FilesystemSample } from '../types.js';

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** Parses /proc/self/mounts (fstab format; spaces and other bytes in names are written as octal `\040`). */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3 || f[0] === '' || f[1] === undefined || f[2] === undefined) continue;
    out.push({ device: unescapeOctal(f[0]!), mountPoint: unescapeOctal(f[1]), fsType: f[2] });
  }
  return out;
}

function unescapeOctal(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Usage of every mounted filesystem: /proc/self/mounts, then statfs(2) on each mount point (asynchronously, in
 * parallel, so a hung network mount delays only its own entry's thread, not the event loop). Filesystems with no
 * blocks (proc, sysfs, cgroup, ...) are left out, as `df` does; a mount point statfs cannot read is skipped.
 */
export async function readFilesystems(mountsPath = '/proc/self/mounts'): Promise<FilesystemSample[]> {
  const mounts = parseMounts(await readFile(mountsPath, 'utf8'));
  const results = await Promise.all(
    mounts.map(async (m): Promise<FilesystemSample | undefined> => {
      try {
        const s = await statfs(m.mountPoint);
        if (s.blocks === 0) return undefined;
        return {
          deviceName: m.device,
          mountPoint: m.mountPoint,
          total: s.blocks * s.bsize,
          free: s.bfree * s.bsize,
          avail: s.bavail * s.bsize,
          files: s.files,
          freeFiles: s.ffree,
        };
      } catch {
        return undefined;
      }
    }),
  );
  return results.filter((r): r is FilesystemSample => r !== undefined);
}
