import { boxStl, writeBinaryStl, type Triangle, type Vec3 } from '@orderscope/orders';
import { intBetween, pick, type Rng } from './random.js';

/**
 * Real STL models for the simulated customers to upload: binary STL written here, ASCII STL from
 * the same box builder the shop's online constructor uses.
 */
export type { Triangle, Vec3 } from '@orderscope/orders';

/** Binary STL of a simulated part (the header names it). */
export function binaryStl(triangles: readonly Triangle[], name = 'orderscope simulator'): Buffer {
  return writeBinaryStl(triangles, `binary STL: ${name}`);
}

/** An axis-aligned box from the origin, 12 triangles, outward normals. */
export function boxTriangles(x: number, y: number, z: number): Triangle[] {
  const v: Vec3[] = [
    [0, 0, 0], [x, 0, 0], [x, y, 0], [0, y, 0],
    [0, 0, z], [x, 0, z], [x, y, z], [0, y, z],
  ];
  const faces = [
    [0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
    [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7],
  ] as const;
  return faces.map(([a, b, c]) => [v[a]!, v[b]!, v[c]!] as const);
}

/**
 * A closed regular prism standing on z = 0 (a cylinder for many sides): 4 triangles per side.
 * Its bounding box is 2·radius wide (x), up to 2·radius deep (y), `height` tall.
 */
export function prismTriangles(sides: number, radius: number, height: number): Triangle[] {
  if (!Number.isInteger(sides) || sides < 3) throw new RangeError('a prism needs at least 3 sides');
  const ring = (z: number): Vec3[] =>
    Array.from({ length: sides }, (_, i) => {
      const a = (2 * Math.PI * i) / sides;
      return [radius + radius * Math.cos(a), radius + radius * Math.sin(a), z] as const;
    });
  const bottom = ring(0);
  const top = ring(height);
  const cb: Vec3 = [radius, radius, 0];
  const ct: Vec3 = [radius, radius, height];
  const out: Triangle[] = [];
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    out.push([cb, bottom[j]!, bottom[i]!], [ct, top[i]!, top[j]!]);
    out.push([bottom[i]!, bottom[j]!, top[j]!], [bottom[i]!, top[j]!, top[i]!]);
  }
  return out;
}

export interface GeneratedModel {
  readonly filename: string;
  readonly format: 'binary' | 'ascii';
  readonly bytes: Buffer;
  readonly triangles: number;
}

const PARTS = ['bracket', 'gear-blank', 'enclosure', 'spacer', 'knob', 'mount', 'housing', 'adapter'] as const;

/** A random part (a box or a prism of 20–150 mm) as binary STL, or an ASCII STL box. */
export function randomModel(rng: Rng, format: 'binary' | 'ascii'): GeneratedModel {
  const part = pick(rng, PARTS);
  const filename = `${part}-${intBetween(rng, 100, 999)}.stl`;
  if (format === 'ascii') {
    const text = boxStl(part, intBetween(rng, 20, 150), intBetween(rng, 20, 150), intBetween(rng, 5, 80));
    return { filename, format, bytes: Buffer.from(text, 'latin1'), triangles: 12 };
  }
  const triangles =
    rng() < 0.5
      ? boxTriangles(intBetween(rng, 20, 150), intBetween(rng, 20, 150), intBetween(rng, 5, 80))
      : prismTriangles(intBetween(rng, 6, 48), intBetween(rng, 10, 75), intBetween(rng, 5, 120));
  return { filename, format, bytes: binaryStl(triangles, part), triangles: triangles.length };
}

/** Box dimensions a customer types into the shop's online constructor, in mm. */
export function randomBoxSize(rng: Rng): [number, number, number] {
  return [intBetween(rng, 10, 200), intBetween(rng, 10, 200), intBetween(rng, 5, 100)];
}
