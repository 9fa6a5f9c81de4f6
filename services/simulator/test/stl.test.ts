import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStl } from '@orderscope/orders';
import { seededRng } from '../src/random.js';
import { binaryStl, boxTriangles, prismTriangles, randomBoxSize, randomModel } from '../src/stl.js';

describe('STL generation', () => {
  it('writes a binary box that parseStl reads back with its size', () => {
    const buf = binaryStl(boxTriangles(40, 25, 10), 'bracket');
    assert.equal(buf.length, 80 + 4 + 12 * 50);
    assert.doesNotMatch(buf.subarray(0, 5).toString('latin1'), /^solid/, 'a binary header must not look like ASCII STL');
    assert.deepEqual(parseStl(buf), { format: 'binary', triangles: 12, size: [40, 25, 10] });
  });

  it('writes outward unit normals', () => {
    const buf = binaryStl(boxTriangles(10, 10, 10));
    // first triangle is on the bottom face (z = 0): normal (0, 0, -1)
    assert.deepEqual([buf.readFloatLE(84), buf.readFloatLE(88), buf.readFloatLE(92)], [0, 0, -1]);
  });

  it('writes a closed prism: 4 triangles per side, bounding box 2r × ≤2r × h', () => {
    const model = parseStl(binaryStl(prismTriangles(8, 20, 35)));
    assert.equal(model.format, 'binary');
    assert.equal(model.triangles, 32);
    assert.equal(model.size[0], 40);
    assert.ok(model.size[1] > 0 && model.size[1] <= 40);
    assert.equal(model.size[2], 35);
    assert.throws(() => prismTriangles(2, 10, 10), RangeError);
  });

  it('random models are valid STL in the asked format, 20–200 mm parts', () => {
    const rng = seededRng(42);
    for (let i = 0; i < 200; i++) {
      const format = i % 2 === 0 ? 'binary' : 'ascii';
      const model = randomModel(rng, format);
      const parsed = parseStl(model.bytes);
      assert.equal(parsed.format, format);
      assert.equal(parsed.triangles, model.triangles);
      assert.match(model.filename, /^[a-z-]+-\d{3}\.stl$/);
      for (const s of parsed.size) assert.ok(s >= 5 && s <= 200, `size ${parsed.size.join('×')}`);
    }
  });

  it('constructor sizes fit what the shop accepts (0 < mm ≤ 1000)', () => {
    const rng = seededRng(1);
    for (let i = 0; i < 100; i++) for (const s of randomBoxSize(rng)) assert.ok(Number.isInteger(s) && s > 0 && s <= 1000);
  });

  it('is repeatable with a seed', () => {
    assert.deepEqual(randomModel(seededRng(9), 'binary').bytes, randomModel(seededRng(9), 'binary').bytes);
  });
});
