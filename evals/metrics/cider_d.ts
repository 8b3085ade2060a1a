/**
 * CIDEr-D exactly as pycocoevalcap's `Cider()` (`cider_scorer.py`): TF-IDF n-gram vectors
 * (n = 1..4) with document frequencies counted over the REFERENCE sets of the evaluated images,
 * candidate weights clipped by reference weights, a Gaussian length penalty (σ = 6) on the
 * bigram counts, the mean over n and references, times 10.
 *
 * @module
 */
import { countNgrams, type NgramCounts } from "./ngrams.ts";
import { pySplit } from "./py_text.ts";

const MAX_ORDER = 4;
const SIGMA = 6;

interface TfIdf {
  vectors: Map<string, number>[];
  norms: number[];
  /** pycocoevalcap's "length": the number of bigrams, `max(0, words - 1)`. */
  length: number;
}

/** Corpus and per-image CIDEr-D (0-10 scale, as pycocoevalcap reports it). */
export interface CiderResult {
  /** Mean of the per-image scores. */
  corpus: number;
  /** CIDEr-D of each image, in input order. */
  perItem: number[];
}

/**
 * CIDEr-D over images: `candidates[i]` against `references[i]` (already tokenized). The result
 * depends on WHICH images are scored (document frequencies and `ln N`): score the full split.
 *
 * @example
 * ```ts
 * cider(["red circle", "blue circle"], [["red circle"], ["blue square"]]).corpus // 3.125
 * ```
 */
export function cider(
  candidates: readonly string[],
  references: readonly (readonly string[])[],
): CiderResult {
  const refCounts = references.map((refs) =>
    refs.map((ref) => countNgrams(pySplit(ref), MAX_ORDER))
  );
  const documentFrequency = new Map<string, number>();
  for (const refs of refCounts) {
    const seen = new Set<string>();
    for (const counts of refs) {
      for (const order of counts) for (const gram of order.keys()) seen.add(gram);
    }
    for (const gram of seen) documentFrequency.set(gram, (documentFrequency.get(gram) ?? 0) + 1);
  }
  const logN = Math.log(references.length);
  const tfIdf = (counts: NgramCounts): TfIdf => {
    const vectors = counts.map(() => new Map<string, number>());
    const norms = new Array(MAX_ORDER).fill(0);
    let length = 0;
    counts.forEach((order, k) => {
      for (const [gram, termFrequency] of order) {
        const weight = termFrequency *
          (logN - Math.log(Math.max(1, documentFrequency.get(gram) ?? 0)));
        vectors[k].set(gram, weight);
        norms[k] += weight ** 2;
        if (k === 1) length += termFrequency;
      }
    });
    return { vectors, norms: norms.map(Math.sqrt), length };
  };
  const perItem = candidates.map((candidate, i) => {
    const hyp = tfIdf(countNgrams(pySplit(candidate), MAX_ORDER));
    const total = new Array(MAX_ORDER).fill(0);
    for (const counts of refCounts[i]) {
      const ref = tfIdf(counts);
      const penalty = Math.E ** (-((hyp.length - ref.length) ** 2) / (2 * SIGMA ** 2));
      for (let k = 0; k < MAX_ORDER; k++) {
        let value = 0;
        for (const [gram, weight] of hyp.vectors[k]) {
          const refWeight = ref.vectors[k].get(gram) ?? 0;
          value += Math.min(weight, refWeight) * refWeight;
        }
        if (hyp.norms[k] !== 0 && ref.norms[k] !== 0) value /= hyp.norms[k] * ref.norms[k];
        total[k] += value * penalty;
      }
    }
    const meanOverOrders = total.reduce((a, b) => a + b, 0) / MAX_ORDER;
    return (meanOverOrders / refCounts[i].length) * 10;
  });
  const corpus = perItem.reduce((a, b) => a + b, 0) / perItem.length;
  return { corpus, perItem };
}
