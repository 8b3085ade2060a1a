/**
 * Paired comparison of two cells on the same items: per-item differences with a paired-bootstrap
 * interval of their mean, and McNemar's test for 0/1 outcomes (exact binomial p-value and the
 * continuity-corrected chi-square).
 *
 * @module
 */
import { bootstrapMean, type BootstrapOptions } from "../metrics/mod.ts";
import type { McNemarResult, PairedComparison } from "./types.ts";

/** erfc(x) (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? r : 2 - r;
}

/** log C(n, k). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * McNemar's test from the discordant counts: `b` items right only in the first cell, `c` right
 * only in the second.
 *
 * @example
 * ```ts
 * mcnemar(10, 3); // { statistic: 36 / 13, pValue: 0.0923 (exact), pValueChi2: 0.0961 }
 * ```
 */
export function mcnemar(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n === 0) return { b, c, statistic: 0, pValue: 1, pValueChi2: 1 };
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return {
    b,
    c,
    statistic: Math.abs(b - c) <= 1 ? 0 : statistic,
    pValue: Math.min(1, 2 * tail),
    pValueChi2: Math.abs(b - c) <= 1 ? 1 : erfc(Math.sqrt(statistic / 2)),
  };
}

/**
 * Compares per-item scores of cell `a` and cell `b` over the items both have.
 *
 * @example
 * ```ts
 * const diff = pairedComparison({ task: "mcq", metric: "correct", a: "fp32@cpu", b: "fp16@cpu" },
 *   { q1: 1, q2: 0 }, { q1: 1, q2: 1 }, { binary: true });
 * diff.meanDiff; // 0.5
 * ```
 */
export function pairedComparison(
  names: { task: string; metric: string; a: string; b: string },
  a: Record<string, number>,
  b: Record<string, number>,
  { binary = false, bootstrap = {} }: { binary?: boolean; bootstrap?: BootstrapOptions } = {},
): PairedComparison {
  const ids = Object.keys(a).filter((id) => id in b);
  const diffs = ids.map((id) => b[id] - a[id]);
  const ci = ids.length ? bootstrapMean(diffs, bootstrap) : { estimate: 0, low: 0, high: 0 };
  const result: PairedComparison = {
    ...names,
    n: ids.length,
    meanDiff: ci.estimate,
    ci95: { low: ci.low, high: ci.high },
  };
  if (binary) {
    const onlyA = ids.filter((id) => a[id] === 1 && b[id] !== 1).length;
    const onlyB = ids.filter((id) => a[id] !== 1 && b[id] === 1).length;
    result.mcnemar = mcnemar(onlyA, onlyB);
  }
  return result;
}
