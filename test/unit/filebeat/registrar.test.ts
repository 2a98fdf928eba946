import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { parseRegistry, formatRegistry } from '../../../src/beats/filebeat/registrar/registry-format.js';
import { Registrar } from '../../../src/beats/filebeat/registrar/registrar.js';
import { advanceWithoutEvent, applyAcks, fileKey, newFileState, type AckMark } from '../../../src/beats/filebeat/registrar/file-state.js';

describe('registry formats', () => {
  it('reads the Beats 1.0 registry (object keyed by path with FileStateOS)', () => {
    const text = '{"/var/log/x.log":{"source":"/var/log/x.log","offset":73366,"FileStateOS":{"inode":8691996,"device":16777220}}}';
    const r = parseRegistry(text);
    assert.equal(r.format, 'beats-1.0');
    assert.deepEqual(r.entries, [{ source: '/var/log/x.log', offset: 73366, inode: 8691996, device: 16777220, timestamp: undefined, ttlMs: 0 }]);
  });

  it("reads Logstash Forwarder's .logstash-forwarder state", () => {
    const text = '{"/var/log/messages":{"source":"/var/log/messages","offset":4242,"inode":131,"device":2049}}';
    const r = parseRegistry(text);
    assert.equal(r.format, 'logstash-forwarder');
    assert.equal(r.entries[0]!.offset, 4242);
    assert.equal(r.entries[0]!.inode, 131);
  });

  it('round-trips the array format it writes, with timestamp and ttl', () => {
    const text = formatRegistry([{ source: '/a', offset: 5, inode: 7, device: 9, timestamp: Date.parse('2026-01-01T00:00:00Z'), ttlMs: 3_600_000 }]);
    const r = parseRegistry(text);
    assert.equal(r.format, 'beats-5');
    assert.deepEqual(r.entries, [{ source: '/a', offset: 5, inode: 7, device: 9, timestamp: Date.parse('2026-01-01T00:00:00Z'), ttlMs: 3_600_000 }]);
    assert.match(text, /"ttl":3600000000000/);
  });

  it('skips entries without inode or offset; throws only on non-JSON', () => {
    assert.deepEqual(parseRegistry('{"/a":{"source":"/a"},"/b":5}').entries, []);
    assert.equal(parseRegistry('').format, 'empty');
    assert.throws(() => parseRegistry('{nope'));
  });
});

describe('acknowledged offsets', () => {
  it('advance in publish order; filtered lines move the offset only after what is in flight', () => {
    const s = newFileState('/f', 1, 2, 0, 0);
    const marks: AckMark[] = [10, 20, 30].map((end) => ({ state: s, end }));
    s.inflight = 3;
    advanceWithoutEvent(s, 45, 0); // a filtered line after the three events
    assert.equal(s.offset, 0, 'not before the events in flight are acknowledged');
    applyAcks(marks.slice(0, 2), 1);
    assert.equal(s.offset, 20);
    applyAcks(marks.slice(2), 2);
    assert.equal(s.offset, 45);
    assert.equal(s.inflight, 0);
    assert.equal(advanceWithoutEvent(s, 50, 3), true, 'nothing in flight: at once');
    assert.equal(s.offset, 50);
  });
});

describe('Registrar', () => {
  it('writes atomically (no .new left), only acknowledged offsets, and loads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-reg-'));
    const file = join(dir, 'sub', 'registry');
    const r = new Registrar(file, nopLogger, 0);
    const s = newFileState('/var/log/a', 3, 4, 0, Date.now());
    r.add(fileKey(3, 4), s);
    s.readOffset = 500;
    s.inflight = 2;
    r.onAck([{ state: s, end: 100 }]);
    await r.flush();
    assert.equal(existsSync(`${file}.new`), false);
    assert.equal(parseRegistry(readFileSync(file, 'utf8')).entries[0]!.offset, 100, 'the read offset (500) is not written');
    const r2 = new Registrar(file, nopLogger, 0);
    r2.load();
    assert.equal(r2.get(fileKey(3, 4))!.offset, 100);
    assert.equal(r2.get(fileKey(3, 4))!.readOffset, 100);
  });

  it('imports a Logstash Forwarder state file when there is no registry yet, and ignores a corrupt registry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-reg-'));
    const lsf = join(dir, '.logstash-forwarder');
    writeFileSync(lsf, '{"/x":{"source":"/x","offset":77,"inode":5,"device":6}}');
    const r = new Registrar(join(dir, 'registry'), nopLogger, 0);
    r.load(lsf);
    assert.equal(r.get(fileKey(6, 5))!.offset, 77);
    writeFileSync(join(dir, 'bad'), '{"truncated": ');
    const bad = new Registrar(join(dir, 'bad'), nopLogger, 0);
    bad.load();
    assert.equal(bad.size, 0);
  });
});
