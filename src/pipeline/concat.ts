/**
 * Concatenation of float arrays (image tiles into one batch tensor).
 *
 * @module
 */

/** The arrays joined end to end into one new Float32Array. */
export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
