import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxStl, InvalidModelError, parseStl, writeBinaryStl } from '../src/index.js';

/** A binary STL of `triangles` triangles spanning 0..10 on each axis. */
const binaryStl = (triangles: number, header = 'binary test model') =>
  writeBinaryStl(Array.from({ length: triangles }, () => [[0, 0, 0], [10, 0, 0], [0, 10, 10]] as const), header);

describe('STL validation', () => {
  it('reads a binary STL: triangle count and bounding box', () => {
    assert.deepEqual(parseStl(binaryStl(3)), { format: 'binary', triangles: 3, size: [10, 10, 10] });
  });

  it('treats a binary STL whose header starts with "solid" as binary (by its size)', () => {
    assert.equal(parseStl(binaryStl(2, 'solid but binary')).format, 'binary');
  });

  it('reads the ASCII STL the constructor builds', () => {
    assert.deepEqual(parseStl(Buffer.from(boxStl('box', 20, 30, 40))), { format: 'ascii', triangles: 12, size: [20, 30, 40] });
  });

  it('refuses what is not a model, saying why', () => {
    const cases: Array<[string, Buffer]> = [
      ['empty-ish text', Buffer.from('hello world')],
      ['truncated binary', binaryStl(3).subarray(0, 150)],
      ['ASCII without facets', Buffer.from('solid x\nendsolid x\n')],
      ['ASCII without endsolid', Buffer.from(boxStl('b', 1, 1, 1).replace(/endsolid b\n$/, ''))],
      ['binary with no triangles', binaryStl(0)],
      ['a PNG', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(200)])],
    ];
    for (const [name, buf] of cases) assert.throws(() => parseStl(buf), InvalidModelError, name);
  });

  it('refuses non-finite coordinates', () => {
    const buf = binaryStl(1);
    buf.writeFloatLE(Number.NaN, 84 + 12);
    assert.throws(() => parseStl(buf), /finite/);
  });
});
