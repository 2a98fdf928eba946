import { lstatSync, statSync, type Stats } from 'node:fs';
import fg from 'fast-glob';
import type { ProspectorConfig } from '../config.js';
import type { BufferPool } from '../harvester/buffer-pool.js';
import { createEventBuilder } from '../harvester/event-builder.js';
import { Harvester, type HarvesterContext } from '../harvester/harvester.js';
import { fileKey, newFileState, type FileState } from '../registrar/file-state.js';
import type { Registrar } from '../registrar/registrar.js';

/** Shared by all prospectors of a beat. */
export interface CrawlerContext extends Omit<HarvesterContext, 'cfg' | 'pool' | 'build'> {
  registrar: Registrar;
  /** Running harvesters by file key, across prospectors (a file matched twice is harvested once). */
  active: Map<string, Harvester>;
}

/**
 * One `prospectors` entry of input_type log: every `scan_frequency` it expands the globs, identifies each file by
 * device + inode, and starts a harvester where there is something to read — a new file from 0 (or its end with
 * `tail_files` on the first scan), a known one from its offset (a renamed file keeps its state; a file smaller than
 * its offset was truncated and restarts at 0). It applies exclude_files, ignore_older, symlinks, harvester_limit,
 * and cleans the states of removed (clean_removed) and long-inactive (clean_inactive) files.
 */
export class Prospector {
  readonly cfg: ProspectorConfig;
  readonly #ctx: CrawlerContext;
  readonly #hctx: HarvesterContext;
  readonly #running = new Set<Promise<unknown>>();
  #firstScan = true;
  #firstScanResolve: () => void = () => {};
  /** Resolves after the first scan (its states are owned from then on). */
  readonly firstScanDone = new Promise<void>((r) => (this.#firstScanResolve = r));

  constructor(cfg: ProspectorConfig, ctx: CrawlerContext, pool: BufferPool) {
    this.cfg = cfg;
    this.#ctx = ctx;
    this.#hctx = { ...ctx, cfg, pool, build: createEventBuilder(cfg), log: ctx.log };
  }

  /** Scans until stopped (or once, with `-once`, then waits for its harvesters to finish). */
  async run(): Promise<void> {
    const { signal, once } = this.#ctx;
    for (;;) {
      await this.scan();
      if (once || signal.aborted) break;
      await this.#ctx.sleeper.sleep(Math.max(this.cfg.scanFrequencyMs, 10));
      if (signal.aborted) break;
    }
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Keys of the files the last scan found. */
  lastSeen = new Set<string>();

  /** One scan: match, identify, start harvesters, clean states. */
  async scan(): Promise<void> {
    const now = Date.now();
    const files = this.#match();
    const seen = new Set<string>();
    for (const [path, st] of files) {
      const key = fileKey(st.dev, st.ino);
      if (seen.has(key)) continue;
      seen.add(key);
      this.#consider(path, st, key, now);
    }
    this.lastSeen = seen;
    this.#firstScan = false;
    this.#firstScanResolve();
    this.#clean(seen, now);
  }

  /**
   * Expands the globs and stats every match. Synchronous on purpose (see Harvester): 10,000 lstat calls take
   * ~30 ms here, while 10,000 queued async ones held up the output's writes for seconds.
   */
  #match(): [string, Stats][] {
    const paths = fg.sync(this.cfg.paths.map(globPattern), { absolute: true, onlyFiles: false, dot: true, suppressErrors: true, unique: true });
    const out: [string, Stats][] = [];
    const { excludeFiles, symlinks } = this.cfg;
    for (const p of paths) {
      if (excludeFiles.length > 0 && excludeFiles.some((r) => r.test(p))) continue;
      try {
        let st = lstatSync(p);
        if (st.isSymbolicLink()) {
          if (!symlinks) continue;
          st = statSync(p);
        }
        if (st.isFile()) out.push([p, st]);
      } catch {
        // Gone between the glob and the stat: the next scan decides.
      }
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  #consider(path: string, st: Stats, key: string, now: number): void {
    const { registrar, active, log } = this.#ctx;
    const running = active.get(key);
    if (running) {
      if (running.state.source !== path) {
        log.info(`File rename detected: ${running.state.source} -> ${path}.`);
        running.state.source = path;
      }
      return;
    }
    let state = registrar.get(key);
    const birth = Math.trunc(st.birthtimeMs);
    if (state && state.birthMs > 0 && birth > 0 && state.birthMs !== birth && !state.harvesting && state.inflight === 0) {
      log.info(`File ${path} reuses the inode of ${state.source}, which was deleted: reading it from the start.`);
      registrar.remove(key);
      state = undefined;
    }
    if (!state) {
      const old = this.cfg.ignoreOlderMs > 0 && now - st.mtimeMs > this.cfg.ignoreOlderMs;
      const atEnd = old || (this.cfg.tailFiles && this.#firstScan);
      state = newFileState(path, st.dev, st.ino, atEnd ? st.size : 0, now);
      state.birthMs = birth;
      this.#own(state);
      registrar.add(key, state);
      if (atEnd) return;
    } else {
      if (state.owner === undefined) this.#own(state);
      if (state.birthMs === 0 && birth > 0) state.birthMs = birth;
      if (state.source !== path) {
        log.info(`File rename detected: ${state.source} -> ${path}; resuming at offset ${state.readOffset}.`);
        state.source = path;
        registrar.markDirty();
      }
      if (st.size < state.readOffset) {
        log.info(`File ${path} is smaller than its offset (${st.size} < ${state.readOffset}): truncated; reading from the start.`);
        state.readOffset = 0;
        if (state.inflight === 0) state.offset = 0;
        else state.skipTo = 0;
        registrar.markDirty();
      }
    }
    if (st.size <= state.readOffset) return;
    if (this.cfg.harvesterLimit > 0 && this.#running.size >= this.cfg.harvesterLimit) return;
    this.#start(key, state);
  }

  #own(state: FileState): void {
    state.owner = this.cfg.id;
    state.ttlMs = this.cfg.cleanInactiveMs;
  }

  #start(key: string, state: FileState): void {
    const { active, log } = this.#ctx;
    const h = new Harvester(state, this.#hctx);
    active.set(key, h);
    log.debug(`Harvesting ${state.source} from offset ${state.readOffset}.`);
    const p: Promise<unknown> = h.run().finally(() => {
      active.delete(key);
      this.#running.delete(p);
    });
    this.#running.add(p);
  }

  #clean(seen: Set<string>, now: number): void {
    const { registrar } = this.#ctx;
    const { cleanRemoved, cleanInactiveMs } = this.cfg;
    if (!cleanRemoved && cleanInactiveMs === 0) return;
    const drop: string[] = [];
    for (const [key, s] of registrar.states()) {
      if (s.owner !== this.cfg.id || s.harvesting || s.inflight > 0) continue;
      if (cleanRemoved && !seen.has(key)) drop.push(key);
      else if (cleanInactiveMs > 0 && now - s.updatedAt > cleanInactiveMs) drop.push(key);
    }
    for (const k of drop) registrar.remove(k);
  }

  /** Harvesters of this prospector still running. */
  get harvesters(): number {
    return this.#running.size;
  }
}

/** fast-glob wants forward slashes and treats `\` as an escape; Beats paths are plain filepath.Glob patterns. */
function globPattern(p: string): string {
  return p.replace(/\\/g, '/');
}
