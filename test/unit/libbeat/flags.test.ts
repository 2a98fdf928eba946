import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMON_FLAGS, parseFlags } from '../../../src/libbeat/beat/flags.js';
import type { FlagSpec } from '../../../src/libbeat/beat/beater.js';

const PB: FlagSpec[] = [
  { name: 'I', type: 'string', description: 'file', short: 'I' },
  { name: 't', type: 'boolean', description: 'top speed', short: 't' },
];

describe('flags', () => {
  it('accepts Beats 1.0 single-dash and GNU double-dash spellings', () => {
    const f = parseFlags(['-c', 'a.yml', '-e', '-d', 'publish,tcp', '-configtest', '--version', '-E', 'a=1', '--E=b=2', '-N'], COMMON_FLAGS);
    assert.equal(f['c'], 'a.yml');
    assert.equal(f['e'], true);
    assert.equal(f['d'], 'publish,tcp');
    assert.equal(f['configtest'], true);
    assert.equal(f['version'], true);
    assert.deepEqual(f['E'], ['a=1', 'b=2']);
    assert.equal(f['N'], true);
    const g = parseFlags(['--config=x.yml', '--verbose', '-cpuprofile', 'p.cpuprofile'], COMMON_FLAGS);
    assert.equal(g['c'], 'x.yml');
    assert.equal(g['v'], true);
    assert.equal(g['cpuprofile'], 'p.cpuprofile');
  });

  it('takes beat-specific flags', () => {
    const f = parseFlags(['-I', 'x.pcap', '-t', '-e'], [...COMMON_FLAGS, ...PB]);
    assert.equal(f['I'], 'x.pcap');
    assert.equal(f['t'], true);
  });

  it('rejects unknown flags and missing values with a clear message', () => {
    assert.throws(() => parseFlags(['-foo'], COMMON_FLAGS), /flag provided but not defined: -foo/);
    assert.throws(() => parseFlags(['-c'], COMMON_FLAGS), /flag needs an argument: -c/);
    assert.throws(() => parseFlags(['-e=maybe'], COMMON_FLAGS), /-e: expected true or false/);
    assert.throws(() => parseFlags(['stray'], COMMON_FLAGS), /unexpected argument "stray"/);
  });
});
