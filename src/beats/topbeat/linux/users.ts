import { readFileSync, statSync } from 'node:fs';

/**
 * uid → user name from /etc/passwd, read once and re-read only when the file changes (checked at most once per
 * collection, on a miss). Users from NSS sources other than the file (LDAP, sssd) are shown as their uid.
 */
export class UserNames {
  private names = new Map<number, string>();
  private mtimeMs = -1;
  private checkedGeneration = -1;

  constructor(private readonly passwdPath = '/etc/passwd') {
    this.load();
  }

  /** `generation` identifies the collection, so that a burst of misses re-checks the file once. */
  name(uid: number, generation: number): string {
    const n = this.names.get(uid);
    if (n !== undefined) return n;
    if (generation !== this.checkedGeneration) {
      this.checkedGeneration = generation;
      if (this.load()) return this.names.get(uid) ?? String(uid);
    }
    return String(uid);
  }

  /** Reloads the file if it changed; true if it was (re)read. */
  private load(): boolean {
    let text: string;
    try {
      const mtime = statSync(this.passwdPath).mtimeMs;
      if (mtime === this.mtimeMs) return false;
      this.mtimeMs = mtime;
      text = readFileSync(this.passwdPath, 'utf8');
    } catch {
      return false;
    }
    const names = new Map<number, string>();
    for (const line of text.split('\n')) {
      // name:password:uid:gid:gecos:home:shell
      const a = line.indexOf(':');
      const b = a < 0 ? -1 : line.indexOf(':', a + 1);
      const c = b < 0 ? -1 : line.indexOf(':', b + 1);
      if (c < 0) continue;
      const uid = Number(line.slice(b + 1, c));
      if (Number.isInteger(uid) && !names.has(uid)) names.set(uid, line.slice(0, a));
    }
    this.names = names;
    return true;
  }
}
