/**
 * Principal component analysis for a few components of a tall or wide matrix (patch embeddings:
 * hundreds of rows, hundreds of columns): block power iteration on the covariance, applied
 * implicitly as `Xᵀ(X q)`, then Rayleigh–Ritz with a Jacobi eigensolver on the small block.
 *
 * @module
 */
import { InputError } from "../errors.ts";

/** Options for {@link pca}. */
export interface PcaOptions {
  /** How many components (default 2). */
  components?: number;
  /** Most block iterations (default 60). */
  maxIterations?: number;
  /** Stop when the Ritz values change by less than this, relatively (default 1e-9). */
  tolerance?: number;
}

/** The result of {@link pca}. */
export interface PcaResult {
  /** Column means (`cols` values). */
  mean: Float64Array;
  /** Unit principal axes, largest variance first; each has `cols` values, its largest-magnitude entry positive. */
  components: Float64Array[];
  /** Variance along each axis (sample variance, `n − 1` denominator). */
  variances: number[];
  /** Fraction of the total variance each axis explains. */
  explained: number[];
  /** Row `i`'s coordinates: `scores[k][i]` = (row i − mean) · component k. */
  scores: Float64Array[];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Modified Gram–Schmidt; a vector that collapses is replaced by a fresh one (seeded). */
function orthonormalise(block: Float64Array[], next: () => number): void {
  for (let j = 0; j < block.length; j++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const v = block[j];
      for (let i = 0; i < j; i++) {
        const p = dot(block[i], v);
        for (let t = 0; t < v.length; t++) v[t] -= p * block[i][t];
      }
      const norm = Math.sqrt(dot(v, v));
      if (norm > 1e-10) {
        for (let t = 0; t < v.length; t++) v[t] /= norm;
        break;
      }
      for (let t = 0; t < v.length; t++) v[t] = next();
    }
  }
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi); eigenvalues descending. */
function symmetricEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((row) => [...row]);
  const v: number[][] = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => m[j][j] - m[i][i]);
  return { values: order.map((i) => m[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}

/**
 * The first principal components of `rows x cols` data (row-major).
 *
 * @example
 * ```ts
 * // Four points on two perpendicular lines through the origin, the longer one along x.
 * const { components, variances } = pca([2, 0, -2, 0, 0, 1, 0, -1], 4, 2);
 * // components[0] = [1, 0], variances = [8/3, 2/3]
 * ```
 */
export function pca(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  options: PcaOptions = {},
): PcaResult {
  const { components: k = 2, maxIterations = 60, tolerance = 1e-9 } = options;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 2 && cols >= 1)) {
    throw new InputError(
      `pca: ${rows}x${cols} data is too small`,
      "give at least 2 rows and 1 column",
    );
  }
  if (data.length !== rows * cols) {
    throw new InputError(
      `pca: ${data.length} values for ${rows}x${cols}`,
      "data is rows*cols, row-major",
    );
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= Math.min(cols, rows))) {
    throw new InputError(
      `pca: ${k} components asked of ${rows}x${cols} data`,
      `ask for 1…${Math.min(cols, rows)} components`,
    );
  }
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += data[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  const x = new Float64Array(rows * cols);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = data[i] - mean[i % cols];
    total += x[i] * x[i];
  }
  total /= rows - 1;

  // C q = Xᵀ (X q) / (n − 1), never forming C.
  const applyCov = (q: Float64Array): Float64Array<ArrayBuffer> => {
    const xq = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += x[r * cols + c] * q[c];
      xq[r] = s;
    }
    const out = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const w = xq[r] / (rows - 1);
      if (w === 0) continue;
      for (let c = 0; c < cols; c++) out[c] += w * x[r * cols + c];
    }
    return out;
  };

  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32 - 0.5;
  };
  const size = Math.min(cols, k + 4);
  let block: Float64Array[] = Array.from(
    { length: size },
    () => Float64Array.from({ length: cols }, next),
  );
  orthonormalise(block, next);
  let ritz: { values: number[]; vectors: number[][] } = { values: [], vectors: [] };
  let previous: number[] = [];
  for (let it = 0; it < maxIterations; it++) {
    const images = block.map(applyCov);
    const t = block.map((qi) => images.map((cj) => dot(qi, cj)));
    ritz = symmetricEigen(t.map((row, i) => row.map((v, j) => (v + t[j][i]) / 2)));
    const scale = Math.max(ritz.values[0], 1e-300);
    const settled = previous.length > 0 &&
      ritz.values.slice(0, k).every((v, i) => Math.abs(v - previous[i]) <= tolerance * scale);
    previous = ritz.values;
    if (settled) break;
    block = images;
    orthonormalise(block, next);
  }
  const components = ritz.vectors.slice(0, k).map((coeffs) => {
    const v = new Float64Array(cols);
    coeffs.forEach((w, i) => {
      for (let c = 0; c < cols; c++) v[c] += w * block[i][c];
    });
    const norm = Math.sqrt(dot(v, v)) || 1;
    let biggest = 0;
    for (let c = 0; c < cols; c++) if (Math.abs(v[c]) > Math.abs(v[biggest]) + 1e-12) biggest = c;
    const sign = v[biggest] < 0 ? -1 : 1;
    return v.map((e) => (sign * e) / norm);
  });
  const variances = ritz.values.slice(0, k).map((v) => Math.max(0, v));
  const scores = components.map((axis) => {
    const s = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let c = 0; c < cols; c++) acc += x[r * cols + c] * axis[c];
      s[r] = acc;
    }
    return s;
  });
  return {
    mean,
    components,
    variances,
    explained: variances.map((v) => (total > 0 ? v / total : 0)),
    scores,
  };
}
