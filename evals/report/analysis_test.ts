import { assertClose, assertEquals } from "../../src/testing/mod.ts";
import {
  categoryRows,
  changedItems,
  pairItems,
  qualityRows,
  recordDrift,
  tokenLatencyRows,
  worstItems,
} from "./analysis.ts";
import type { EvalOutput, EvalRecord } from "./types.ts";

// A hand-made two-cell output: 4 VQA questions in 2 categories; fp16 changes q2 (wrong → right)
// and q3 (right → wrong). By hand: fp32 count 0.5, color 1; fp16 count 1, color 0.5; same tokens
// on q1 and q4 (2 of 4); |Δ logprob| over shared prefixes: q1 0.5 and 0, q3 0.2, q4 0 → 0.175.
function record(
  id: string,
  category: string,
  prediction: string,
  accuracy: number,
  tokens: number[],
  logprobs: number[],
  totalMs: number,
): EvalRecord {
  return {
    id,
    task: "t-vqa",
    prediction,
    category,
    scores: { accuracy },
    tokens,
    logprobs,
    latency: { totalMs, tokenMs: [totalMs / 10] },
  };
}

function handOutput(): EvalOutput {
  const task = (accuracy: number) => ({
    kind: "vqa",
    n: 4,
    metrics: { accuracy, bleu4: 0 },
    ci95: { accuracy: [accuracy - 0.25, accuracy + 0.25] as [number, number] },
  });
  return {
    dir: ".",
    summary: {
      suite: "hand",
      model: { path: "m", sha256: "0".repeat(64) },
      cells: [
        { name: "fp32@cpu", precision: "fp32", device: "cpu", tasks: { "t-vqa": task(0.75) } },
        { name: "fp16@cpu", precision: "fp16", device: "cpu", tasks: { "t-vqa": task(0.75) } },
      ],
    },
    records: new Map([
      ["fp32@cpu", [
        record("q1", "count", "2", 1, [5, 6], [-1, -2], 100),
        record("q2", "count", "3", 0, [7], [-1], 200),
        record("q3", "color", "red", 1, [8, 9], [-0.1, -1], 300),
        record("q4", "color", "blue", 1, [4], [-1], 400),
      ]],
      ["fp16@cpu", [
        record("q1", "count", "2", 1, [5, 6], [-1.5, -2], 110),
        record("q2", "count", "2", 1, [5], [-1], 210),
        record("q3", "color", "green", 0, [8, 1], [-0.3, -1], 310),
        record("q4", "color", "blue", 1, [4], [-1], 410),
      ]],
    ]),
  };
}

Deno.test("analysis: quality rows take the headline metric, its interval and mean item latency", () => {
  const rows = qualityRows(handOutput());
  assertEquals(rows.map((r) => [r.cell, r.metric, r.value, r.low, r.high, r.latencyMs]), [
    ["fp32@cpu", "accuracy", 0.75, 0.5, 1, 250],
    ["fp16@cpu", "accuracy", 0.75, 0.5, 1, 260],
  ]);
});

Deno.test("analysis: per-category means equal the hand-computed ones", () => {
  const rows = categoryRows(handOutput());
  assertEquals(rows.map((r) => [r.cell, r.category, r.value, r.n]), [
    ["fp32@cpu", "color", 1, 2],
    ["fp32@cpu", "count", 0.5, 2],
    ["fp16@cpu", "color", 0.5, 2],
    ["fp16@cpu", "count", 1, 2],
  ]);
});

Deno.test("analysis: changed items are exactly the ones with another prediction", () => {
  const items = pairItems(handOutput());
  assertEquals(changedItems(items).map((i) => i.id), ["q2", "q3"]);
});

Deno.test("analysis: worst items sort by the reference score, then by id", () => {
  const items = pairItems(handOutput());
  assertEquals(worstItems(items, "fp32@cpu", 3).map((i) => i.id), ["q2", "q1", "q3"]);
  assertEquals(worstItems(items, "fp16@cpu", 1).map((i) => i.id), ["q3"]);
});

Deno.test("analysis: record drift counts identical token runs and Δ logprob on shared prefixes", () => {
  const items = pairItems(handOutput());
  const rows = recordDrift(items, ["fp32@cpu", "fp16@cpu"]);
  assertEquals(rows.map((r) => [r.cell, r.statistic]), [
    ["fp16@cpu", "same tokens"],
    ["fp16@cpu", "mean |Δ logprob|"],
  ]);
  assertClose(rows[0].value, 0.5, 1e-12);
  assertClose(rows[1].value, 0.175, 1e-12);
  assertEquals(recordDrift(items, ["fp32@cpu", "fp32@cpu"])[0].value, 1);
});

Deno.test("analysis: token latencies are gathered per cell", () => {
  const rows = tokenLatencyRows(handOutput());
  assertEquals(rows.length, 8);
  assertEquals(rows.filter((r) => r.cell === "fp16@cpu").map((r) => r.ms), [11, 21, 31, 41]);
});
