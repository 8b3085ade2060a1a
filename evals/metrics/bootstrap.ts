/**
 * Seeded percentile-bootstrap confidence intervals for corpus figures: items (images,
 * questions) are resampled with replacement and the corpus statistic is recomputed on each
 * resample, so statistics that are not plain means (corpus BLEU) are handled correctly.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";

/** A confidence interval with the point estimate it surrounds. */
export interface ConfidenceInterval {
  /** The statistic on the full sample. */
  estimate: number;
  /** Lower percentile bound. */
  low: number;
  /** Upper percentile bound. */
  high: number;
}

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
  /** PRNG seed: the same seed gives the same interval (default 0). */
  seed?: number;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `q`-quantile of sorted values, linear between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Percentile bootstrap of `statistic` over `itemCount` items. `statistic` receives the item
 * indices of one resample (with repeats) and returns the corpus figure for them.
 *
 * @example
 * ```ts
 * const scores = [0, 1, 1, 0, 1];
 * const mean = (idx: number[]) => idx.reduce((s, i) => s + scores[i], 0) / idx.length;
 * bootstrapInterval(scores.length, mean, { seed: 1 }); // { estimate: 0.6, low: ..., high: ... }
 * ```
 */
export function bootstrapInterval(
  itemCount: number,
  statistic: (indices: number[]) => number,
  { resamples = 1000, confidence = 0.95, seed = 0 }: BootstrapOptions = {},
): ConfidenceInterval {
  if (!(itemCount > 0)) {
    throw new InputError("bootstrap: there are no items to resample", "score at least one item");
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new InputError(
      `bootstrap: confidence must be in (0, 1), got ${confidence}`,
      "use e.g. 0.95",
    );
  }
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new InputError(
      `bootstrap: resamples must be a positive integer, got ${resamples}`,
      "use e.g. 1000",
    );
  }
  const all = Array.from({ length: itemCount }, (_, i) => i);
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    values.push(statistic(all.map(() => Math.floor(random() * itemCount))));
  }
  values.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    estimate: statistic(all),
    low: quantile(values, tail),
    high: quantile(values, 1 - tail),
  };
}

/** Percentile bootstrap of the mean of per-item scores. */
export function bootstrapMean(
  scores: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  return bootstrapInterval(
    scores.length,
    (indices) => indices.reduce((sum, i) => sum + scores[i], 0) / indices.length,
    options,
  );
}
