import { assertClose, assertEquals } from "../../src/testing/mod.ts";
import type { CellSummary, EvalRecord, TaskSummary } from "../harness/mod.ts";
import {
  categoryRows,
  changedItems,
  pairItems,
  perItemScore,
  primaryMetric,
  qualityRows,
  recordDrift,
  tokenLatencyRows,
  worstItems,
} from "./analysis.ts";
import type { EvalOutput } from "./load.ts";

// A hand-made two-cell output. VQA: 4 questions; fp16 changes q2 (wrong → right) and q3
// (right → wrong), q1 and q4 keep their tokens. MCQ: m1 keeps its pick, its option sums move by
// 0.5 and 0; m2 flips from A to B with sums moving by 1 and 1. By hand: same generated tokens
// 2/4 = 0.5; same MCQ pick 1/2; mean |Δ| of the option sums (0.5 + 0 + 1 + 1) / 4 = 0.625.
function record(
  task: string,
  id: string,
  prediction: string,
  scores: Record<string, number>,
  extra: Partial<EvalRecord>,
  totalMs: number,
): EvalRecord {
  return {
    id,
    task,
    kind: task === "mcq" ? "mcq" : "vqa",
    prompt: `question ${id}`,
    prediction,
    tokens: [],
    outputHash: "0",
    scores,
    cached: false,
    latency: { totalMs, visionMs: 1, visionTiles: 1, stepMs: [totalMs / 10], batch: 1 },
    fingerprint: id,
    ...extra,
  };
}

function cell(name: string, vqa: number, categories: Record<string, number>): CellSummary {
  const task = (kind: "vqa" | "mcq", accuracy: number, cats?: TaskSummary["categories"]) => ({
    kind,
    n: 4,
    metrics: { accuracy, bleu4: 0 },
    ci95: { accuracy: { low: accuracy - 0.25, high: accuracy + 0.25 } },
    ...(cats ? { categories: cats } : {}),
  });
  return {
    name,
    precision: name.split("@")[0],
    modules: { vision: "fp32", projector: "fp32", decoder: "fp32", head: "fp32" },
    device: "cpu",
    records: `records/${name}.jsonl`,
    tasks: {
      vqa: task(
        "vqa",
        vqa,
        Object.fromEntries(
          Object.entries(categories).map(([k, v]) => [k, { n: 2, metrics: { accuracy: v } }]),
        ),
      ),
      mcq: task("mcq", 0.5, { all: { n: 2, metrics: { correct: 0.5 } } }),
    },
    perf: {
      loadMs: null,
      visionMs: null,
      ttftMs: null,
      decodeTokPerS: null,
      perTokenMs: null,
      itemMs: null,
      peakRssMb: null,
      measuredItems: 6,
    },
    cache: { hits: 0, misses: 6 },
    machine: null,
  };
}

function handOutput(): EvalOutput {
  const vqa = (id: string, prediction: string, accuracy: number, tokens: number[], ms: number) =>
    record("vqa", id, prediction, { accuracy }, { tokens }, ms);
  const mcq = (id: string, pick: string, correct: number, sums: number[]) =>
    record("mcq", id, pick, { correct }, {
      options: sums.map((sum, i) => ({ letter: "AB"[i], sum })),
    }, 50);
  return {
    dir: ".",
    summary: {
      suite: "hand",
      harnessVersion: "1",
      model: {
        path: "m",
        sha256: "0".repeat(64),
        configSha256: "0".repeat(64),
        tokenizer: { path: "t", sha256: "0".repeat(64) },
      },
      shard: null,
      cells: [
        cell("fp32@cpu", 0.75, { count: 0.5, color: 1 }),
        cell("fp16@cpu", 0.75, { count: 1, color: 0.5 }),
      ],
      comparisons: [],
    },
    records: new Map([
      ["fp32@cpu", [
        vqa("q1", "2", 1, [5, 6], 100),
        vqa("q2", "3", 0, [7], 200),
        vqa("q3", "red", 1, [8, 9], 300),
        vqa("q4", "blue", 1, [4], 400),
        mcq("m1", "A", 1, [-1, -2]),
        mcq("m2", "A", 0, [-1, -2]),
      ]],
      ["fp16@cpu", [
        vqa("q1", "2", 1, [5, 6], 110),
        vqa("q2", "2", 1, [5], 210),
        vqa("q3", "green", 0, [8, 1], 310),
        vqa("q4", "blue", 1, [4], 410),
        mcq("m1", "A", 1, [-1.5, -2]),
        mcq("m2", "B", 1, [-2, -1]),
      ]],
    ]),
    perItem: new Map(),
    details: new Map(),
  };
}

Deno.test("analysis: headline metric and the per-item score behind it", () => {
  assertEquals(primaryMetric({ metrics: { bleu4: 0.1, ciderD: 0.2 } }), "ciderD");
  assertEquals(primaryMetric({ metrics: { "i2t.R@5": 9, "i2t.R@1": 3 } }), "i2t.R@1");
  assertEquals(perItemScore({ correct: 1 }, "accuracy"), 1);
  assertEquals(perItemScore({ correct: 1 }, "ciderD"), undefined);
});

Deno.test("analysis: quality rows take the headline metric, its interval and mean item latency", () => {
  const rows = qualityRows(handOutput()).filter((r) => r.task === "vqa");
  assertEquals(rows.map((r) => [r.cell, r.metric, r.value, r.low, r.high, r.latencyMs]), [
    ["fp32@cpu", "accuracy", 0.75, 0.5, 1, 250],
    ["fp16@cpu", "accuracy", 0.75, 0.5, 1, 260],
  ]);
});

Deno.test("analysis: category rows read the summary's breakdown on the headline metric", () => {
  const rows = categoryRows(handOutput());
  assertEquals(rows.map((r) => [r.cell, r.task, r.category, r.metric, r.value, r.n]), [
    ["fp32@cpu", "vqa", "count", "accuracy", 0.5, 2],
    ["fp32@cpu", "vqa", "color", "accuracy", 1, 2],
    ["fp32@cpu", "mcq", "all", "accuracy", 0.5, 2],
    ["fp16@cpu", "vqa", "count", "accuracy", 1, 2],
    ["fp16@cpu", "vqa", "color", "accuracy", 0.5, 2],
    ["fp16@cpu", "mcq", "all", "accuracy", 0.5, 2],
  ]);
});

Deno.test("analysis: changed items are exactly the ones with another prediction", () => {
  const items = pairItems(handOutput());
  assertEquals(changedItems(items).map((i) => i.id), ["q2", "q3", "m2"]);
});

Deno.test("analysis: worst items are those below their task's best, by the reference score, then task and id", () => {
  const items = pairItems(handOutput());
  // fp32: q2 and m2 are wrong; m1 is right, as good as its task's best, so not among the worst.
  assertEquals(worstItems(items, "fp32@cpu", 3).map((i) => i.id), ["m2", "q2"]);
  assertEquals(worstItems(items, "fp16@cpu", 1).map((i) => i.id), ["q3"]);
  // fp16 answers both MCQ items right: no MCQ item is worse than another.
  assertEquals(worstItems(items, "fp16@cpu", 6).map((i) => i.id), ["q3"]);
});

Deno.test("analysis: record drift per stage equals the hand counts", () => {
  const items = pairItems(handOutput());
  const rows = recordDrift(items, ["fp32@cpu", "fp16@cpu"]);
  assertEquals(rows.map((r) => [r.stage, r.statistic]), [
    ["generated tokens", "same output"],
    ["option log-likelihood", "same output"],
    ["option log-likelihood", "mean |Δ score|"],
  ]);
  assertClose(rows[0].value, 0.5, 1e-12);
  assertClose(rows[1].value, 0.5, 1e-12);
  assertClose(rows[2].value, 0.625, 1e-12);
  // A cell against itself: everything the same, nothing moved.
  const self = recordDrift(items, ["fp32@cpu", "fp32@cpu"]);
  assertEquals(self.map((r) => r.value), [1, 1, 0]);
});

Deno.test("analysis: decode-step latencies are gathered per cell", () => {
  const rows = tokenLatencyRows(handOutput());
  assertEquals(rows.length, 12);
  assertEquals(rows.filter((r) => r.cell === "fp16@cpu").map((r) => r.ms), [11, 21, 31, 41, 5, 5]);
});
