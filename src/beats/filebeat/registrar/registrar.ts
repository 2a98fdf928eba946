import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../../../libbeat/common/errors.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import { applyAcks, fileKey, newFileState, type FileState } from './file-state.js';
import { formatRegistry, parseRegistry, type RegistryEntry } from './registry-format.js';

/** Wait before writing a registry again after a failed write. */
const RETRY_MS = 1000;

/**
 * Owns every FileState and persists their acknowledged offsets. The pipeline's ack callback feeds `onAck`
 * (privates in publish order); writes are coalesced to one every `flushMs` and are atomic: the text goes to
 * `<file>.new`, is fsynced, then renamed over the registry (and the directory fsynced), so a crash leaves either
 * the old or the new registry, never a torn one.
 */
export class Registrar {
  readonly file: string;
  readonly #states = new Map<string, FileState>();
  readonly #log: Logger;
  readonly #flushMs: number;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  writes = 0;

  constructor(file: string, log: Logger, flushMs: number) {
    this.file = file;
    this.#log = log;
    this.#flushMs = flushMs;
  }

  /**
   * Loads the registry (any supported format). When it does not exist and `lsfStateFile` does, imports Logstash
   * Forwarder's offsets instead. A corrupt registry is logged and ignored (files are then read from the start).
   */
  load(lsfStateFile?: string): void {
    const now = Date.now();
    const from = existsSync(this.file) ? this.file : lsfStateFile && existsSync(lsfStateFile) ? lsfStateFile : undefined;
    if (!from) return;
    let entries: RegistryEntry[];
    try {
      const parsed = parseRegistry(readFileSync(from, 'utf8'));
      entries = parsed.entries;
      this.#log.info(`Loaded ${entries.length} file states from ${from} (${parsed.format} format).`);
    } catch (err) {
      this.#log.error(`Ignoring the unreadable registry ${from}: ${errorMessage(err)}.`);
      return;
    }
    for (const e of entries) {
      const s = newFileState(e.source, e.device, e.inode, e.offset, e.timestamp ?? now);
      s.ttlMs = e.ttlMs;
      s.birthMs = e.birthMs ?? 0;
      const key = fileKey(e.device, e.inode);
      const prev = this.#states.get(key);
      if (!prev || (prev.updatedAt <= s.updatedAt)) this.#states.set(key, s);
    }
    if (from !== this.file) this.#dirty = true;
  }

  get(key: string): FileState | undefined {
    return this.#states.get(key);
  }

  add(key: string, state: FileState): void {
    this.#states.set(key, state);
    this.markDirty();
  }

  remove(key: string): void {
    if (this.#states.delete(key)) this.markDirty();
  }

  states(): IterableIterator<[string, FileState]> {
    return this.#states.entries();
  }

  get size(): number {
    return this.#states.size;
  }

  /** The pipeline's ack callback: advances offsets of acknowledged events (in publish order). */
  onAck = (privates: readonly unknown[]): void => {
    if (applyAcks(privates, Date.now())) this.markDirty();
  };

  /** Schedules a write within `flushMs`. */
  markDirty(): void {
    this.#dirty = true;
    if (this.#timer || this.#flushMs <= 0) {
      if (this.#flushMs <= 0) void this.flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs);
    this.#timer.unref();
  }

  /** Writes the registry now if anything changed; resolves when it is on disk. Concurrent calls share a write. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#writing = this.#write().finally(() => (this.#writing = undefined));
    await this.#writing;
  }

  /** Stops the flush timer (call flush() for the last write). */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #write(): Promise<void> {
    const entries: RegistryEntry[] = [];
    for (const s of this.#states.values()) {
      entries.push({ source: s.source, offset: s.offset, inode: s.inode, device: s.device, timestamp: s.updatedAt, ttlMs: s.ttlMs, birthMs: s.birthMs });
    }
    const tmp = `${this.file}.new`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(formatRegistry(entries));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      await syncDir(dirname(this.file));
      this.writes++;
    } catch (err) {
      this.#log.error(`Writing the registry ${this.file} failed: ${errorMessage(err)}; retrying.`);
      this.#dirty = true;
      if (!this.#timer) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          void this.flush();
        }, Math.max(this.#flushMs, RETRY_MS));
        this.#timer.unref();
      }
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}
