/**
 * BLEU-1..4 exactly as pycocoevalcap's `Bleu(4)` (`bleu_scorer.py`, option "closest"): clipped
 * n-gram matches, the closest reference length (ties to the shorter), the `1e-15` / `1e-9`
 * smoothing constants, and a corpus score computed from summed statistics (it is not the mean of
 * the per-image scores).
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import { countNgrams } from "./ngrams.ts";
import { pySplit } from "./py_text.ts";

/** BLEU's highest n-gram order. */
export const BLEU_MAX_ORDER = 4;

const TINY = 1e-15;
const SMALL = 1e-9;

/** The sufficient statistics of one candidate: what corpus BLEU sums over images. */
export interface BleuStats {
  /** Candidate length in tokens. */
  testLength: number;
  /** The effective reference length ("closest", ties broken towards the shorter reference). */
  refLength: number;
  /** Candidate n-gram count per order (`max(0, len - n + 1)`). */
  guess: number[];
  /** Clipped n-gram matches per order. */
  correct: number[];
}

/**
 * Statistics of one tokenized candidate against its tokenized references (split with
 * Python's `str.split()`).
 *
 * @example
 * ```ts
 * bleuStats("a red circle", ["a red circle", "one red circle"]).correct // [3, 2, 1, 0]
 * ```
 */
export function bleuStats(candidate: string, references: readonly string[]): BleuStats {
  if (references.length === 0) {
    throw new InputError(
      "BLEU needs at least one reference caption",
      "give one or more references",
    );
  }
  const test = pySplit(candidate);
  const testCounts = countNgrams(test, BLEU_MAX_ORDER);
  const maxRefCounts = countNgrams([], BLEU_MAX_ORDER);
  const refLengths: number[] = [];
  for (const reference of references) {
    const tokens = pySplit(reference);
    refLengths.push(tokens.length);
    countNgrams(tokens, BLEU_MAX_ORDER).forEach((order, k) => {
      for (const [gram, count] of order) {
        maxRefCounts[k].set(gram, Math.max(maxRefCounts[k].get(gram) ?? 0, count));
      }
    });
  }
  let refLength = refLengths[0];
  for (const length of refLengths) {
    const [best, candidateDiff] = [
      Math.abs(refLength - test.length),
      Math.abs(length - test.length),
    ];
    if (candidateDiff < best || (candidateDiff === best && length < refLength)) refLength = length;
  }
  const guess: number[] = [];
  const correct: number[] = [];
  for (let k = 0; k < BLEU_MAX_ORDER; k++) {
    guess.push(Math.max(0, test.length - k));
    let matched = 0;
    for (const [gram, count] of testCounts[k]) {
      matched += Math.min(maxRefCounts[k].get(gram) ?? 0, count);
    }
    correct.push(matched);
  }
  return { testLength: test.length, refLength, guess, correct };
}

/** BLEU-1..4 from (summed) statistics, with the brevity penalty; `[bleu1, bleu2, bleu3, bleu4]`. */
export function bleuFromStats(stats: BleuStats): number[] {
  const scores: number[] = [];
  let product = 1;
  for (let k = 0; k < BLEU_MAX_ORDER; k++) {
    product *= (stats.correct[k] + TINY) / (stats.guess[k] + SMALL);
    scores.push(product ** (1 / (k + 1)));
  }
  const ratio = (stats.testLength + TINY) / (stats.refLength + SMALL);
  if (ratio < 1) {
    const penalty = Math.exp(1 - 1 / ratio);
    return scores.map((score) => score * penalty);
  }
  return scores;
}

/** Adds up per-image statistics into corpus statistics. */
export function sumBleuStats(all: readonly BleuStats[]): BleuStats {
  const total: BleuStats = {
    testLength: 0,
    refLength: 0,
    guess: new Array(BLEU_MAX_ORDER).fill(0),
    correct: new Array(BLEU_MAX_ORDER).fill(0),
  };
  for (const stats of all) {
    total.testLength += stats.testLength;
    total.refLength += stats.refLength;
    for (let k = 0; k < BLEU_MAX_ORDER; k++) {
      total.guess[k] += stats.guess[k];
      total.correct[k] += stats.correct[k];
    }
  }
  return total;
}

/** Corpus and per-image BLEU-1..4 of a set of images. */
export interface BleuResult {
  /** Corpus BLEU-1..4 (from summed statistics). */
  corpus: number[];
  /** BLEU-1..4 of each image, in input order. */
  perItem: number[][];
  /** The per-image statistics, for resampling (see `bootstrap.ts`). */
  stats: BleuStats[];
}

/**
 * BLEU-1..4 over images: `candidates[i]` is scored against `references[i]` (already tokenized).
 *
 * @example
 * ```ts
 * bleu(["red circle"], [["red circle"]]).perItem[0][2] // ≈ 0.01 (a 2-word caption has no trigram)
 * ```
 */
export function bleu(
  candidates: readonly string[],
  references: readonly (readonly string[])[],
): BleuResult {
  const stats = candidates.map((candidate, i) => bleuStats(candidate, references[i]));
  return {
    corpus: bleuFromStats(sumBleuStats(stats)),
    perItem: stats.map(bleuFromStats),
    stats,
  };
}
