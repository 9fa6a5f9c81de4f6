/** Writing binary STL: the simulator's models, the tests' fixtures (the parser is in stl.ts). */
export type Vec3 = readonly [number, number, number];
export type Triangle = readonly [Vec3, Vec3, Vec3];

const HEADER_BYTES = 80;
const TRIANGLE_BYTES = 50;

function normal([a, b, c]: Triangle): Vec3 {
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]] as const;
  const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]] as const;
  const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]] as const;
  const len = Math.hypot(n[0], n[1], n[2]) || 1;
  return [n[0] / len, n[1] / len, n[2] / len];
}

/** Binary STL: an 80-byte header (`header`, cut to fit), triangle count, 50 bytes per triangle. */
export function writeBinaryStl(triangles: readonly Triangle[], header: string): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES + 4 + triangles.length * TRIANGLE_BYTES);
  buf.write(header.slice(0, HEADER_BYTES), 0, 'latin1');
  buf.writeUInt32LE(triangles.length, HEADER_BYTES);
  triangles.forEach((tri, t) => {
    let o = HEADER_BYTES + 4 + t * TRIANGLE_BYTES;
    for (const vec of [normal(tri), ...tri]) {
      for (const c of vec) {
        buf.writeFloatLE(c, o);
        o += 4;
      }
    }
    buf.writeUInt16LE(0, o); // attribute byte count
  });
  return buf;
}
