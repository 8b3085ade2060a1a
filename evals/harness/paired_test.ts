import { assert, assertClose, assertEquals } from "../../src/testing/mod.ts";
import { mcnemar, pairedComparison } from "./paired.ts";

Deno.test("McNemar on a hand-computed case: b = 10, c = 3", () => {
  // Exact two-sided binomial: 2 * sum_{k=0..3} C(13, k) / 2^13 = 2 * (1 + 13 + 78 + 286) / 8192.
  // Corrected chi-square: (|10 - 3| - 1)^2 / 13 = 36/13; p = erfc(sqrt(36/26)) = 0.0960923 (1 df).
  const result = mcnemar(10, 3);
  assertEquals([result.b, result.c], [10, 3]);
  assertClose(result.pValue, (2 * 378) / 8192, 1e-12);
  assertClose(result.statistic, 36 / 13, 1e-12);
  assertClose(result.pValueChi2, 0.0960923295, 1e-6);
});

Deno.test("McNemar: no discordant pairs, or balanced ones, give p = 1", () => {
  assertEquals(mcnemar(0, 0).pValue, 1);
  assertEquals(mcnemar(4, 4).pValue, 1);
  assertEquals(mcnemar(4, 4).statistic, 0);
});

Deno.test("paired comparison: mean of per-item differences on the shared items, McNemar counts", () => {
  const a = { q1: 1, q2: 1, q3: 0, q4: 0, only_a: 1 };
  const b = { q1: 1, q2: 0, q3: 1, q4: 1, only_b: 0 };
  const result = pairedComparison({ task: "t", metric: "correct", a: "x", b: "y" }, a, b, {
    binary: true,
    bootstrap: { resamples: 200, seed: 1 },
  });
  assertEquals(result.n, 4);
  assertClose(result.meanDiff, (0 - 1 + 1 + 1) / 4, 1e-12);
  assertEquals([result.mcnemar!.b, result.mcnemar!.c], [1, 2]);
  assert(result.ci95.low <= result.meanDiff && result.meanDiff <= result.ci95.high);
});
