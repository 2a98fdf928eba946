import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink } from './logger.js';

export interface FileSinkOptions {
  path: string;
  name: string;
  rotateEveryBytes: number;
  keepFiles: number;
}

/**
 * Writes log lines to `<path>/<name>`, rotating to `<name>.1` … `<name>.<keepfiles-1>` when the file would pass
 * `rotateeverybytes` (the Beats 1.0 `logging.files.*` scheme). Writes are synchronous: log volume is low and a
 * line must not be lost when the process exits.
 */
export function createFileSink(opts: FileSinkOptions): LogSink {
  mkdirSync(opts.path, { recursive: true });
  const file = join(opts.path, opts.name);
  let fd = openSync(file, 'a');
  let size = existsSync(file) ? statSync(file).size : 0;
  const rotate = () => {
    closeSync(fd);
    const keep = Math.max(1, opts.keepFiles);
    rmSync(`${file}.${keep - 1}`, { force: true });
    for (let i = keep - 2; i >= 1; i--) {
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    }
    if (keep > 1) renameSync(file, `${file}.1`);
    else rmSync(file, { force: true });
    fd = openSync(file, 'a');
    size = 0;
  };
  return {
    write(_level, line) {
      const buf = Buffer.from(line + '\n');
      if (size > 0 && size + buf.length > opts.rotateEveryBytes) rotate();
      writeSync(fd, buf);
      size += buf.length;
    },
    close() {
      closeSync(fd);
    },
  };
}
