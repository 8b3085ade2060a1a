/**
 * ROUGE-L exactly as pycocoevalcap's `Rouge()` (`rouge.py`): tokens from `split(" ")`, the LCS
 * length against each reference, the best precision and the best recall taken independently,
 * and the F-measure with β = 1.2.
 *
 * @module
 */

const BETA = 1.2;

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1]
        ? previous[j - 1] + 1
        : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * ROUGE-L of one tokenized candidate against its tokenized references.
 *
 * @example
 * ```ts
 * rougeL("a cat sits on the mat", ["a cat is sitting on the mat", "there is a cat on the mat"])
 * // ≈ 0.7587
 * ```
 */
export function rougeL(candidate: string, references: readonly string[]): number {
  const tokens = candidate.split(" ");
  let precision = 0;
  let recall = 0;
  for (const reference of references) {
    const refTokens = reference.split(" ");
    const lcs = lcsLength(refTokens, tokens);
    precision = Math.max(precision, lcs / tokens.length);
    recall = Math.max(recall, lcs / refTokens.length);
  }
  if (precision === 0 || recall === 0) return 0;
  return ((1 + BETA ** 2) * precision * recall) / (recall + BETA ** 2 * precision);
}

/** Corpus (mean) and per-image ROUGE-L. */
export interface RougeResult {
  /** Mean of the per-image scores. */
  corpus: number;
  /** ROUGE-L of each image, in input order. */
  perItem: number[];
}

/** ROUGE-L over images: `candidates[i]` against `references[i]` (already tokenized). */
export function rouge(
  candidates: readonly string[],
  references: readonly (readonly string[])[],
): RougeResult {
  const perItem = candidates.map((candidate, i) => rougeL(candidate, references[i]));
  return { corpus: perItem.reduce((a, b) => a + b, 0) / perItem.length, perItem };
}
