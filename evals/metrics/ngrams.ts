/**
 * N-gram counting shared by BLEU and CIDEr-D (pycocoevalcap's `precook`).
 *
 * @module
 */

/** N-gram counts by order: `counts[k]` maps each (k+1)-gram, its tokens joined by a space, to its count. */
export type NgramCounts = Map<string, number>[];

/**
 * Counts every contiguous n-gram of orders 1..`maxOrder` in `tokens`. Tokens come from a
 * whitespace split, so joining them with one space is an unambiguous key.
 *
 * @example
 * ```ts
 * countNgrams(["a", "red", "a"], 2)[1].get("a red") // 1
 * ```
 */
export function countNgrams(tokens: readonly string[], maxOrder: number): NgramCounts {
  const counts: NgramCounts = [];
  for (let k = 1; k <= maxOrder; k++) {
    const order = new Map<string, number>();
    for (let i = 0; i + k <= tokens.length; i++) {
      const key = tokens.slice(i, i + k).join(" ");
      order.set(key, (order.get(key) ?? 0) + 1);
    }
    counts.push(order);
  }
  return counts;
}
