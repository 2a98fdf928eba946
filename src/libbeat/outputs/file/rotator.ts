import { open, rename, rm, stat, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface RotatorOptions {
  dir: string;
  name: string;
  rotateEveryBytes: number;
  numberOfFiles: number;
}

/**
 * Appends to `<dir>/<name>` and rotates it to `<name>.1`, `<name>.2`, … (oldest deleted) when the next write would
 * pass `rotateEveryBytes` — the Beats 1.0 file output scheme (`rotate_every_kb`, `number_of_files`).
 * Not safe for concurrent writers: the file output has one client.
 */
export class FileRotator {
  readonly #opts: RotatorOptions;
  readonly path: string;
  #fh: FileHandle | undefined;
  #size = 0;

  constructor(opts: RotatorOptions) {
    this.#opts = opts;
    this.path = join(opts.dir, opts.name);
  }

  async open(): Promise<void> {
    if (this.#fh) return;
    await mkdir(this.#opts.dir, { recursive: true });
    this.#fh = await open(this.path, 'a');
    this.#size = (await stat(this.path)).size;
  }

  /** Writes one chunk of complete lines; rotates first when it would not fit. */
  async write(data: string): Promise<void> {
    await this.open();
    const bytes = Buffer.byteLength(data);
    if (this.#size > 0 && this.#size + bytes > this.#opts.rotateEveryBytes) await this.rotate();
    await this.#fh!.write(data);
    this.#size += bytes;
  }

  async rotate(): Promise<void> {
    await this.close();
    const n = Math.max(1, this.#opts.numberOfFiles);
    const p = this.path;
    await rm(`${p}.${n - 1}`, { force: true });
    for (let i = n - 2; i >= 1; i--) await rename(`${p}.${i}`, `${p}.${i + 1}`).catch(() => {});
    if (n > 1) await rename(p, `${p}.1`).catch(() => {});
    else await rm(p, { force: true });
    await this.open();
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (fh) await fh.close();
  }
}
