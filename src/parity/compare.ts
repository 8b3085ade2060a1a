/**
 * Numerical comparison of a computed tensor with a golden one: max-abs error, that error relative
 * to the golden's max-abs, and cosine similarity, optionally over a subset of positions.
 *
 * @module
 */

/** The comparison of one stage. */
export interface StageComparison {
  /** Golden tensor name, e.g. `lm.logits`. */
  name: string;
  /** Largest absolute difference. */
  maxAbs: number;
  /** `maxAbs` divided by the golden's largest absolute value. */
  rel: number;
  /** Cosine similarity of the two tensors (flattened). */
  cosine: number;
  /** Whether the stage met its bound. */
  pass: boolean;
}

/** Bounds a stage must meet. */
export interface Bounds {
  /** Largest allowed `rel` (default 1e-4). */
  rel?: number;
  /** Smallest allowed cosine (default none). */
  cosine?: number;
}

/**
 * Compares `got` with `want`. `keep(i)` selects the elements that count (e.g. valid positions of a
 * padded batch); lengths must match.
 */
export function compareTensors(
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  bounds: Bounds = {},
  keep?: (index: number) => boolean,
): StageComparison {
  if (got.length !== want.length) {
    return { name, maxAbs: Infinity, rel: Infinity, cosine: 0, pass: false };
  }
  let maxAbs = 0, maxRef = 0, dot = 0, normGot = 0, normWant = 0;
  for (let i = 0; i < want.length; i++) {
    if (keep && !keep(i)) continue;
    const a = got[i], b = want[i];
    const diff = Math.abs(a - b);
    if (!(diff <= maxAbs)) maxAbs = Number.isNaN(diff) ? Infinity : diff;
    maxRef = Math.max(maxRef, Math.abs(b));
    dot += a * b;
    normGot += a * a;
    normWant += b * b;
  }
  const rel = maxRef > 0 ? maxAbs / maxRef : maxAbs;
  const cosine = normGot > 0 && normWant > 0
    ? dot / Math.sqrt(normGot * normWant)
    : (normGot === normWant ? 1 : 0);
  const pass = rel <= (bounds.rel ?? 1e-4) &&
    (bounds.cosine === undefined || cosine >= bounds.cosine);
  return { name, maxAbs, rel, cosine, pass };
}
