import { describe } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createFileClient } from '../../../src/libbeat/outputs/file/index.js';
import { FileRotator } from '../../../src/libbeat/outputs/file/rotator.js';
import { createConsoleClient } from '../../../src/libbeat/outputs/console/index.js';
import { outputConformance } from '../../support/output-conformance.js';

describe('file output conformance', () => {
  outputConformance('file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-out-'));
    const rot = new FileRotator({ dir, name: 'out', rotateEveryBytes: 1 << 20, numberOfFiles: 2 });
    return {
      client: createFileClient(rot),
      received: async () =>
        existsSync(join(dir, 'out'))
          ? readFileSync(join(dir, 'out'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).n as number)
          : [],
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describe('console output conformance', () => {
  outputConformance('console', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    return {
      client: createConsoleClient(out, false),
      received: async () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).n as number),
      cleanup: async () => void out.end(),
    };
  });
});
