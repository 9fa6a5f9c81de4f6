/**
 * Validation of STL 3D models (binary and ASCII), enough to tell a model from anything else and to
 * describe it for pricing: triangle count and bounding box.
 */
export type StlFormat = 'binary' | 'ascii';

export interface StlModel {
  readonly format: StlFormat;
  readonly triangles: number;
  /** Bounding box size along x, y, z, in the file's units (millimetres by convention). */
  readonly size: readonly [number, number, number];
}

export class InvalidModelError extends Error {}

const BINARY_HEADER = 80;
const BINARY_TRIANGLE = 50;

class Bounds {
  min = [Infinity, Infinity, Infinity];
  max = [-Infinity, -Infinity, -Infinity];
  add(x: number, y: number, z: number): void {
    const p = [x, y, z];
    for (let i = 0; i < 3; i++) {
      const v = p[i]!;
      if (!Number.isFinite(v)) throw new InvalidModelError('vertex coordinate is not a finite number');
      if (v < this.min[i]!) this.min[i] = v;
      if (v > this.max[i]!) this.max[i] = v;
    }
  }
  size(): [number, number, number] {
    const r = (i: number) => Math.round((this.max[i]! - this.min[i]!) * 1000) / 1000;
    return [r(0), r(1), r(2)];
  }
}

function parseBinary(buf: Buffer): StlModel {
  const triangles = buf.readUInt32LE(BINARY_HEADER);
  if (triangles === 0) throw new InvalidModelError('binary STL has no triangles');
  const bounds = new Bounds();
  for (let t = 0; t < triangles; t++) {
    const base = BINARY_HEADER + 4 + t * BINARY_TRIANGLE + 12; // skip the normal
    for (let v = 0; v < 3; v++) {
      const o = base + v * 12;
      bounds.add(buf.readFloatLE(o), buf.readFloatLE(o + 4), buf.readFloatLE(o + 8));
    }
  }
  return { format: 'binary', triangles, size: bounds.size() };
}

const FACET =
  /facet\s+normal\s+\S+\s+\S+\s+\S+\s+outer\s+loop\s+vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+endloop\s+endfacet/g;

function parseAscii(text: string): StlModel {
  if (!/\bendsolid\b/.test(text)) throw new InvalidModelError('ASCII STL has no "endsolid"');
  const bounds = new Bounds();
  let triangles = 0;
  for (const m of text.matchAll(FACET)) {
    const n = m.slice(1, 10).map(Number);
    bounds.add(n[0]!, n[1]!, n[2]!);
    bounds.add(n[3]!, n[4]!, n[5]!);
    bounds.add(n[6]!, n[7]!, n[8]!);
    triangles++;
  }
  if (triangles === 0) throw new InvalidModelError('ASCII STL has no complete facet');
  return { format: 'ascii', triangles, size: bounds.size() };
}

/** Throws InvalidModelError naming the problem when `buf` is not an STL model. */
export function parseStl(buf: Buffer): StlModel {
  if (buf.length >= BINARY_HEADER + 4) {
    const count = buf.readUInt32LE(BINARY_HEADER);
    // The size check is what identifies binary STL: some binary files start with "solid" too.
    if (buf.length === BINARY_HEADER + 4 + count * BINARY_TRIANGLE) return parseBinary(buf);
  }
  const head = buf.subarray(0, 512).toString('latin1');
  if (/^\s*solid\b/.test(head)) return parseAscii(buf.toString('latin1'));
  throw new InvalidModelError('not an STL model: neither a binary STL of consistent size nor ASCII "solid … endsolid"');
}

/** An ASCII STL box, as the shop's online constructor builds it. */
export function boxStl(name: string, x: number, y: number, z: number): string {
  const v = [
    [0, 0, 0], [x, 0, 0], [x, y, 0], [0, y, 0],
    [0, 0, z], [x, 0, z], [x, y, z], [0, y, z],
  ] as const;
  const faces: ReadonlyArray<readonly [number, number, number, string]> = [
    [0, 2, 1, '0 0 -1'], [0, 3, 2, '0 0 -1'], [4, 5, 6, '0 0 1'], [4, 6, 7, '0 0 1'],
    [0, 1, 5, '0 -1 0'], [0, 5, 4, '0 -1 0'], [1, 2, 6, '1 0 0'], [1, 6, 5, '1 0 0'],
    [2, 3, 7, '0 1 0'], [2, 7, 6, '0 1 0'], [3, 0, 4, '-1 0 0'], [3, 4, 7, '-1 0 0'],
  ];
  const facets = faces.map(([a, b, c, n]) =>
    [`facet normal ${n}`, ' outer loop', ...[a, b, c].map((i) => `  vertex ${v[i]!.join(' ')}`), ' endloop', 'endfacet'].join('\n'),
  );
  return `solid ${name}\n${facets.join('\n')}\nendsolid ${name}\n`;
}
