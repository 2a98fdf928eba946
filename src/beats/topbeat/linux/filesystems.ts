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

/** How long a collection waits for statfs answers; slower mount points are left out of that collection. */
export const STATFS_WAIT_MS = 2000;

/**
 * Usage of every mounted filesystem: /proc/self/mounts, then statfs(2) on each mount point, asynchronously and in
 * parallel. A hung network mount would block a libuv thread in statfs: such a mount point is left out while its
 * call is still pending (so calls never pile up and starve the other users of the thread pool), and a collection
 * waits at most `waitMs` for the answers. Filesystems with no blocks (proc, sysfs, cgroup, ...) are left out, as
 * `df` does; a mount point statfs cannot read is skipped.
 */
export class FilesystemReader {
  private readonly pending = new Set<string>();

  constructor(
    private readonly mountsPath = '/proc/self/mounts',
    private readonly waitMs = STATFS_WAIT_MS,
  ) {}

  async read(): Promise<FilesystemSample[]> {
    const mounts = parseMounts(await readFile(this.mountsPath, 'utf8'));
    const results: (FilesystemSample | undefined)[] = new Array(mounts.length);
    const calls = mounts.map(async (m, i) => {
      if (this.pending.has(m.mountPoint)) return;
      this.pending.add(m.mountPoint);
      try {
        const s = await statfs(m.mountPoint);
        if (s.blocks === 0) return;
        results[i] = {
          deviceName: m.device,
          mountPoint: m.mountPoint,
          total: s.blocks * s.bsize,
          free: s.bfree * s.bsize,
          avail: s.bavail * s.bsize,
          files: s.files,
          freeFiles: s.ffree,
        };
      } catch {
        // unreadable (permissions, stale mount): skipped
      } finally {
        this.pending.delete(m.mountPoint);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(calls), new Promise<void>((r) => (timer = setTimeout(r, this.waitMs)))]);
    clearTimeout(timer);
    return results.filter((r): r is FilesystemSample => r !== undefined);
  }

  /** Mount points whose statfs has not answered yet. */
  get stuck(): string[] {
    return [...this.pending];
  }
}
