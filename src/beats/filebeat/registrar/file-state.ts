/**
 * What Filebeat knows about one file, identified by device + inode (not by path: a renamed file keeps its state).
 * One object per file, shared by the prospector, its harvester and the registrar. Only `offset` is persisted, and
 * only acknowledged events move it: at-least-once.
 */
export interface FileState {
  /** Last known path of the file. */
  source: string;
  device: number;
  inode: number;
  /** Offset after the last acknowledged line (what the registry stores). */
  offset: number;
  /** Offset after the last line read and published or filtered: where a new harvester resumes in this process. */
  readOffset: number;
  /** Events published from this file and not acknowledged yet. */
  inflight: number;
  /** Offset to adopt once `inflight` reaches 0 (lines filtered out, truncation); -1 when none. */
  skipTo: number;
  /** ms since the epoch of the last change (for clean_inactive). */
  updatedAt: number;
  /** clean_inactive of the owning prospector in ms (0 = never); persisted as Beats 5 `ttl`. */
  ttlMs: number;
  /** Id of the prospector that owns this file; undefined for entries loaded from the registry and not matched yet. */
  owner: string | undefined;
  harvesting: boolean;
  /**
   * Creation time (ms) where the filesystem reports one (statx on ext4, xfs, btrfs), else 0. Guards against inode
   * reuse: a file deleted and another created with the same inode between two scans must not inherit the old offset.
   */
  birthMs: number;
}

/** The registrar's key for a file: `device:inode`. */
export function fileKey(device: number, inode: number): string {
  return `${device}:${inode}`;
}

export function newFileState(source: string, device: number, inode: number, offset: number, now: number): FileState {
  return { source, device, inode, offset, readOffset: offset, inflight: 0, skipTo: -1, updatedAt: now, ttlMs: 0, owner: undefined, harvesting: false, birthMs: 0 };
}

/** The `private` of every published event: which file it came from and the offset after it. */
export interface AckMark {
  readonly state: FileState;
  readonly end: number;
}

/**
 * Moves a file's acknowledged offset to `offset` for lines that were consumed but not published (filtered lines,
 * truncation): at once when nothing of the file is in flight, else after the events in flight are acknowledged.
 */
export function advanceWithoutEvent(state: FileState, offset: number, now: number): boolean {
  state.readOffset = offset;
  if (state.inflight === 0) {
    if (state.offset === offset) return false;
    state.offset = offset;
    state.updatedAt = now;
    return true;
  }
  state.skipTo = offset;
  return false;
}

/** Applies acknowledged marks, in publish order. Returns whether any state changed. */
export function applyAcks(privates: readonly unknown[], now: number): boolean {
  let changed = false;
  for (let i = 0; i < privates.length; i++) {
    const m = privates[i] as AckMark | undefined;
    if (m === undefined || m === null) continue;
    const s = m.state;
    s.offset = m.end;
    s.inflight--;
    if (s.inflight === 0 && s.skipTo >= 0) {
      s.offset = s.skipTo;
      s.skipTo = -1;
    }
    s.updatedAt = now;
    changed = true;
  }
  return changed;
}
