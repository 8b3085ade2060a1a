/**
 * How well the image tokens of a ShapesBench model say where they are: a linear read-out
 * (least squares onto one-hot classes, closed form) of the row and the column of each occupied
 * cell's token, from the vision encoder's output and from the projector's (what the decoder
 * sees), fitted on one half of the pictures of a seed never trained on and scored on the other.
 * Relative-position questions need it near 100%.
 *
 * A closed form rather than `trainProbe`'s gradient descent (src/train/probe.ts): the position signal lives in
 * low-variance directions of these features, which 400 Adam steps do not reach (measured: 41%
 * training accuracy where the closed form fits 76%).
 *
 * ```sh
 * deno run -A evals/train/position_probe.ts --model data/models/shapes-nano [--images 400]
 * ```
 *
 * @module
 */
import { init } from "@jax-js/jax";
import { loadParams, modalityProjector, toDevice, visionEncoder } from "../../src/train/mod.ts";
import { ShapesStream } from "./shapes_data.ts";
import { patchesOf } from "./shapes_model.ts";

/** Held-out read-out accuracies of the occupied cells' row and column, per read-out point. */
export type PositionReadout = Record<"vision" | "projector", { row: number; column: number }>;

/**
 * Least-squares linear classifier (with a bias and a small ridge) of `x` onto `classes` one-hot
 * targets, fitted on `fit` and scored on `score` (indices into `x` / `labels`): the accuracy.
 */
export function leastSquaresAccuracy(
  x: readonly Float32Array[],
  labels: readonly number[],
  classes: number,
  fit: readonly number[],
  score: readonly number[],
  ridge = 1e-2,
): number {
  const d = x[0].length + 1;
  const gram = new Float64Array(d * d), rhs = new Float64Array(d * classes);
  const row = (i: number) => [...x[i], 1];
  for (const i of fit) {
    const v = row(i);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) gram[a * d + b] += v[a] * v[b];
      rhs[a * classes + labels[i]] += v[a];
    }
  }
  for (let a = 0; a < d; a++) gram[a * d + a] += ridge;
  // Gauss-Jordan elimination with partial pivoting: gram · w = rhs.
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++) {
      if (Math.abs(gram[r * d + c]) > Math.abs(gram[pivot * d + c])) pivot = r;
    }
    for (let k = 0; k < d; k++) {
      [gram[c * d + k], gram[pivot * d + k]] = [gram[pivot * d + k], gram[c * d + k]];
    }
    for (let k = 0; k < classes; k++) {
      [rhs[c * classes + k], rhs[pivot * classes + k]] = [
        rhs[pivot * classes + k],
        rhs[c * classes + k],
      ];
    }
    for (let r = 0; r < d; r++) {
      const f = r === c ? 0 : gram[r * d + c] / gram[c * d + c];
      if (f === 0) continue;
      for (let k = 0; k < d; k++) gram[r * d + k] -= f * gram[c * d + k];
      for (let k = 0; k < classes; k++) rhs[r * classes + k] -= f * rhs[c * classes + k];
    }
  }
  let correct = 0;
  for (const i of score) {
    const v = row(i);
    let best = 0, bestScore = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += v[a] * rhs[a * classes + k] / gram[a * d + a];
      if (s > bestScore) [best, bestScore] = [k, s];
    }
    if (best === labels[i]) correct++;
  }
  return correct / score.length;
}

/** Reads out the model folder `model` on `images` pictures of data seed `seed`. */
export async function positionReadout(
  model: string,
  images = 400,
  seed = 4242,
): Promise<PositionReadout> {
  const { config, params } = await loadParams(model);
  const p = toDevice(params);
  const stream = new ShapesStream({ seed, size: config.vit_img_size });
  const features = { vision: [] as Float32Array[], projector: [] as Float32Array[] };
  const rows: number[] = [], columns: number[] = [], fit: number[] = [], score: number[] = [];
  for (let first = 0; first < images; first += 50) {
    const scenes = [], pixels = [];
    for (let n = first; n < Math.min(images, first + 50); n++) {
      const image = stream.image(n);
      scenes.push(image.scene);
      pixels.push(image.pixels);
    }
    const vision = visionEncoder(patchesOf(pixels, config), { ...p }, config);
    const projected = modalityProjector(vision.ref, { ...p }, config);
    const [v, m] = [await vision.data(), await projected.data()] as Float32Array[];
    const dv = v.length / (scenes.length * 9), dm = m.length / (scenes.length * 9);
    scenes.forEach((scene, j) => {
      for (const o of scene.objects) {
        const token = j * 9 + o.row * 3 + o.col;
        (first + j < images / 2 ? fit : score).push(rows.length);
        features.vision.push(v.slice(token * dv, (token + 1) * dv));
        features.projector.push(m.slice(token * dm, (token + 1) * dm));
        rows.push(o.row);
        columns.push(o.col);
      }
    });
  }
  const read = (x: Float32Array[]) => ({
    row: leastSquaresAccuracy(x, rows, 3, fit, score),
    column: leastSquaresAccuracy(x, columns, 3, fit, score),
  });
  return { vision: read(features.vision), projector: read(features.projector) };
}

if (import.meta.main) {
  const flag = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  await init("wasm");
  const model = flag("model") ?? "data/models/shapes-nano";
  const images = Number(flag("images") ?? 400);
  const readout = await positionReadout(model, images);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`where an object's token is, read out linearly (${images} pictures), ${model}:`);
  for (const [where, { row, column }] of Object.entries(readout)) {
    console.log(`  ${where.padEnd(9)} row ${pct(row)}  column ${pct(column)}`);
  }
  Deno.exit(0);
}
