/**
 * Linear probes: a softmax classifier trained on frozen feature vectors (e.g. `embed`'s vision,
 * projector or decoder pooling), with a seeded validation split, accuracy and a confusion table;
 * the head is a small JSON document that {@link applyProbe} reuses. Training runs on whitened
 * features, so a class signal in low-variance, correlated directions is fitted too.
 *
 * @module
 */
import { grad, jit, nn, numpy as np, tree } from "@jax-js/jax";
import { writeAtomically } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { InitRandom } from "./params.ts";

/** A trained linear head over standardised features. */
export interface ProbeHead {
  /** Class names, in logit order. */
  classes: string[];
  /** Per-feature mean and standard deviation used to standardise inputs. */
  mean: number[];
  /** See {@link mean}. */
  std: number[];
  /** `[classes, features]` weights, row-major. */
  weight: number[];
  /** `[classes]` biases. */
  bias: number[];
}

/** The result of {@link trainProbe}. */
export interface ProbeResult {
  /** The head. */
  head: ProbeHead;
  /** Validation accuracy (training accuracy when there is no validation split). */
  accuracy: number;
  /** Training accuracy. */
  trainAccuracy: number;
  /** `confusion[gold][predicted]` counts on the validation split, in class order. */
  confusion: number[][];
  /** Validation items. */
  validationCount: number;
}

/** Options of {@link trainProbe}. */
export interface ProbeOptions {
  /** Held-out share (default 0.25). */
  valSplit?: number;
  /** Full-batch Adam steps (default 300). */
  steps?: number;
  /** Learning rate (default 0.05). */
  lr?: number;
  /** L2 penalty on the weights over the whitened features (default 1e-3). */
  l2?: number;
  /** Split seed (default 0). */
  seed?: number;
}

/** Ridge added to the standardised features' covariance before whitening (unit variances). */
const WHITENING_RIDGE = 1e-3;

/** Lower Cholesky factor `[d·d]` of the covariance of `rows` (each `[d]`, centred) plus `ridge`·I. */
function choleskyOfCovariance(rows: readonly Float64Array[], ridge: number): Float64Array {
  const d = rows[0]?.length ?? 0, cov = new Float64Array(d * d);
  for (const z of rows) {
    for (let a = 0; a < d; a++) {
      const za = z[a] / rows.length;
      for (let b = 0; b <= a; b++) cov[a * d + b] += za * z[b];
    }
  }
  const l = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = cov[a * d + b] + (a === b ? ridge : 0);
      for (let k = 0; k < b; k++) sum -= l[a * d + k] * l[b * d + k];
      l[a * d + b] = a === b ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[b * d + b];
    }
  }
  return l;
}

/** Solves `L·x = z` for a lower-triangular `L` ({@link choleskyOfCovariance}). */
function forwardSubstitute(l: Float64Array, z: Float64Array): Float64Array {
  const d = z.length, x = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let sum = z[a];
    for (let k = 0; k < a; k++) sum -= l[a * d + k] * x[k];
    x[a] = sum / l[a * d + a];
  }
  return x;
}

/** Solves `Lᵀ·x = y` for a lower-triangular `L`. */
function backSubstituteTransposed(l: Float64Array, y: Float64Array): Float64Array {
  const d = y.length, x = new Float64Array(d);
  for (let a = d - 1; a >= 0; a--) {
    let sum = y[a];
    for (let k = a + 1; k < d; k++) sum -= l[k * d + a] * x[k];
    x[a] = sum / l[a * d + a];
  }
  return x;
}

/** Class index of one feature vector. */
export function applyProbe(
  head: ProbeHead,
  vector: Float32Array,
): { index: number; label: string } {
  const d = head.mean.length;
  if (vector.length !== d) {
    throw new InputError(
      `the probe expects ${d} features, got ${vector.length}`,
      "embed with the probe's source",
    );
  }
  let best = 0, bestScore = -Infinity;
  for (let c = 0; c < head.classes.length; c++) {
    let s = head.bias[c];
    for (let i = 0; i < d; i++) {
      s += head.weight[c * d + i] * (vector[i] - head.mean[i]) / head.std[i];
    }
    if (s > bestScore) [best, bestScore] = [c, s];
  }
  return { index: best, label: head.classes[best] };
}

/**
 * Trains a linear softmax probe on `features` with string `labels`.
 *
 * @example
 * ```ts
 * const { head, accuracy, confusion } = await trainProbe(vectors, labels, { valSplit: 0.25 });
 * applyProbe(head, vectors[0]).label;
 * ```
 */
export async function trainProbe(
  features: readonly Float32Array[],
  labels: readonly string[],
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  if (features.length !== labels.length || features.length < 2) {
    throw new InputError(
      `a probe needs at least 2 labelled items (got ${features.length} vectors, ${labels.length} labels)`,
      "choose a dataset and question type with items",
    );
  }
  const classes = [...new Set(labels)].sort();
  const d = features[0].length, n = features.length;
  const random = new InitRandom(options.seed ?? 0, "probe split");
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const valCount = Math.min(n - 1, Math.round(n * (options.valSplit ?? 0.25)));
  const val = order.slice(0, valCount), train = order.slice(valCount);
  const mean = new Array(d).fill(0), std = new Array(d).fill(0);
  for (const i of train) for (let k = 0; k < d; k++) mean[k] += features[i][k] / train.length;
  for (const i of train) {
    for (let k = 0; k < d; k++) std[k] += (features[i][k] - mean[k]) ** 2 / train.length;
  }
  for (let k = 0; k < d; k++) std[k] = Math.sqrt(std[k]) + 1e-6;
  // Adam on standardised features converges only along their large directions: features whose
  // class signal lies in low-variance, correlated directions (a projector's output) stay
  // underfit. The head is trained on whitened features (L⁻¹·z, with L·Lᵀ the training
  // covariance plus a small ridge) and folded back to the standardised ones.
  const standardised = (i: number) =>
    Float64Array.from({ length: d }, (_, k) => (features[i][k] - mean[k]) / std[k]);
  const whitening = choleskyOfCovariance(train.map(standardised), WHITENING_RIDGE);
  const matrix = (rows: number[]) => {
    const out = new Float32Array(rows.length * d);
    rows.forEach((i, r) => out.set(forwardSubstitute(whitening, standardised(i)), r * d));
    return np.array(out).reshape([rows.length, d]);
  };
  const target = np.array(new Int32Array(train.map((i) => classes.indexOf(labels[i]))));
  const l2 = options.l2 ?? 1e-3, lr = options.lr ?? 0.05, steps = options.steps ?? 300;
  type P = { w: np.Array; b: np.Array };
  const loss = (p: P, x: np.Array, y: np.Array) => {
    const logits = np.matmul(x, p.w.ref).add(p.b);
    const picked = nn.logSoftmax(logits, -1).mul(nn.oneHot(y, classes.length)).sum(-1);
    return picked.mean().neg().add(np.square(p.w).sum().mul(l2));
  };
  const step = jit((p: P, m: P, v: P, x: np.Array, y: np.Array, t: np.Array) => {
    const g = grad(loss)(tree.ref(p), x, y) as P;
    const out = { p: {} as P, m: {} as P, v: {} as P };
    for (const key of ["w", "b"] as const) {
      const m1 = m[key].mul(0.9).add(g[key].ref.mul(0.1));
      const v1 = v[key].mul(0.999).add(np.square(g[key]).mul(0.001));
      const c1 = np.power(0.9, t.ref).neg().add(1), c2 = np.power(0.999, t.ref).neg().add(1);
      out.p[key] = p[key].sub(m1.ref.div(c1).div(np.sqrt(v1.ref.div(c2)).add(1e-8)).mul(lr));
      out.m[key] = m1;
      out.v[key] = v1;
    }
    t.dispose();
    return out;
  });
  let p: P = { w: np.zeros([d, classes.length]), b: np.zeros([classes.length]) };
  let m: P = { w: np.zeros([d, classes.length]), b: np.zeros([classes.length]) };
  let v: P = { w: np.zeros([d, classes.length]), b: np.zeros([classes.length]) };
  const x = matrix(train);
  for (let t = 1; t <= steps; t++) ({ p, m, v } = step(p, m, v, x.ref, target.ref, np.array(t)));
  x.dispose();
  target.dispose();
  const w = await p.w.ref.data() as Float32Array, b = await p.b.ref.data() as Float32Array;
  tree.dispose([p, m, v]);
  // Logits = (L⁻¹z)ᵀ·w = zᵀ·(L⁻ᵀw): each class's weights over the standardised features.
  const weight: number[] = new Array(classes.length * d);
  for (let c = 0; c < classes.length; c++) {
    const column = Float64Array.from({ length: d }, (_, k) => w[k * classes.length + c]);
    const folded = backSubstituteTransposed(whitening, column);
    for (let k = 0; k < d; k++) weight[c * d + k] = folded[k];
  }
  const head: ProbeHead = { classes, mean, std, weight, bias: Array.from(b) };
  const score = (rows: number[]) => {
    const confusion = classes.map(() => new Array(classes.length).fill(0));
    let ok = 0;
    for (const i of rows) {
      const gold = classes.indexOf(labels[i]), got = applyProbe(head, features[i]).index;
      confusion[gold][got]++;
      if (gold === got) ok++;
    }
    return { accuracy: rows.length > 0 ? ok / rows.length : NaN, confusion };
  };
  const trainScore = score(train), valScore = score(val);
  return {
    head,
    accuracy: val.length > 0 ? valScore.accuracy : trainScore.accuracy,
    trainAccuracy: trainScore.accuracy,
    confusion: val.length > 0 ? valScore.confusion : trainScore.confusion,
    validationCount: val.length,
  };
}

/** Writes a probe head as JSON, atomically. */
export async function saveProbe(path: string, head: ProbeHead): Promise<void> {
  await writeAtomically(path, (temp) => Deno.writeTextFile(temp, JSON.stringify(head)));
}

/** Reads a probe head written by {@link saveProbe}. */
export async function loadProbe(path: string): Promise<ProbeHead> {
  const head = JSON.parse(await Deno.readTextFile(path)) as ProbeHead;
  if (!Array.isArray(head.classes) || !Array.isArray(head.weight)) {
    throw new InputError(`${path} is not a probe head`, "give a file written by nanovlm probe");
  }
  return head;
}
