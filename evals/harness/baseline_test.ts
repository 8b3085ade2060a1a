import { InputError } from "../../src/mod.ts";
import { assert, assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { compareBaseline, isExactCell, makeBaseline } from "./baseline.ts";
import type { SummaryWithDetails } from "./summary.ts";
import type { EvalRecord, ModelIdentity } from "./types.ts";

const MODEL: ModelIdentity = {
  path: "m",
  sha256: "w",
  configSha256: "c",
  tokenizer: { path: "t", sha256: "k" },
};

/** A one-task (mcq), one-cell run whose item i is correct when `correct[i]`. */
function run(cell: "fp32@cpu" | "fp16@cpu", correct: number[], model = MODEL): SummaryWithDetails {
  const modules = cell === "fp32@cpu"
    ? { vision: "fp32", projector: "fp32", decoder: "fp32" } as const
    : { vision: "fp16", projector: "fp16", decoder: "fp16" } as const;
  const records: EvalRecord[] = correct.map((c, i) => ({
    id: `q${i}`,
    task: "mcq",
    kind: "mcq",
    prompt: "?",
    prediction: c ? "A" : "B",
    tokens: [],
    outputHash: c ? "hash-a" : "hash-b",
    scores: { correct: c },
    cached: false,
    latency: null,
    fingerprint: `f${i}`,
  }));
  const accuracy = correct.reduce((a, b) => a + b, 0) / correct.length;
  const perItem = Object.fromEntries(correct.map((c, i) => [`q${i}`, { correct: c }]));
  return {
    summary: {
      suite: "s",
      harnessVersion: "1",
      model,
      shard: null,
      comparisons: [],
      cells: [{
        name: cell,
        precision: cell.split("@")[0],
        modules,
        device: "cpu",
        records: `records/${cell}.jsonl`,
        tasks: { mcq: { kind: "mcq", n: correct.length, metrics: { accuracy }, ci95: {} } },
        perf: {
          loadMs: null,
          visionMs: null,
          ttftMs: null,
          decodeTokPerS: null,
          perTokenMs: null,
          itemMs: null,
          peakRssMb: null,
          measuredItems: 0,
        },
        cache: { hits: 0, misses: correct.length },
        machine: null,
      }],
    },
    results: {
      [cell]: {
        mcq: {
          task: "mcq",
          cell,
          kind: "mcq",
          n: correct.length,
          metrics: { accuracy },
          ci95: {},
          perItem,
        },
      },
    },
    records: { [cell]: records },
  };
}

const ones = (n: number) => Array(n).fill(1);

Deno.test("gate: exact cells are CPU fp32 and deterministic; others statistical", () => {
  const fp32 = { vision: "fp32", projector: "fp32", decoder: "fp32" } as const;
  assert(isExactCell({ modules: fp32, device: "cpu" }, true));
  assert(!isExactCell({ modules: fp32, device: "cpu" }, false));
  assert(!isExactCell({ modules: fp32, device: "cuda" }, true));
  assert(!isExactCell({ modules: { ...fp32, vision: "fp16" }, device: "cpu" }, true));
});

Deno.test("gate, exact cell: one changed item is a regression with old and new prediction", () => {
  const baseline = makeBaseline(run("fp32@cpu", ones(10)), { deterministic: true });
  assertEquals(baseline.cells[0].mode, "exact");
  assertEquals(compareBaseline(baseline, run("fp32@cpu", ones(10))).status, "pass");
  const changed = compareBaseline(baseline, run("fp32@cpu", [...ones(9), 0]));
  assertEquals(changed.status, "regressed");
  assertEquals(changed.itemDiffs, [{
    cell: "fp32@cpu",
    task: "mcq",
    id: "q9",
    baseline: "A",
    current: "B",
  }]);
  assertEquals(changed.regressions.map((r) => r.metric), ["accuracy"]);
});

Deno.test("gate, statistical cell: noise within the tolerance passes, a real drop regresses", () => {
  const baseline = makeBaseline(run("fp16@cpu", ones(50)), { deterministic: true });
  assertEquals(baseline.cells[0].mode, "statistical");
  // One item of 50 flips: a drop of 0.02, not more than the tolerance 0.02.
  const noise = compareBaseline(baseline, run("fp16@cpu", [...ones(49), 0]));
  assertEquals(noise.status, "pass");
  assertEquals(noise.itemDiffs.length, 1);
  // Ten of 50 flip: a drop of 0.2 whose whole interval lies below zero.
  const drop = compareBaseline(baseline, run("fp16@cpu", [...ones(40), ...Array(10).fill(0)]));
  assertEquals(drop.status, "regressed");
  assertEquals(drop.regressions[0].metric, "correct");
  assertEquals([drop.regressions[0].baseline, drop.regressions[0].current], [1, 0.8]);
});

Deno.test("gate: a baseline of another suite, model config, tokenizer or item set is a named error", () => {
  const baseline = makeBaseline(run("fp32@cpu", ones(4)), { deterministic: true });
  const other = run("fp32@cpu", ones(4));
  other.summary.suite = "t";
  assertThrows(() => compareBaseline(baseline, other), InputError, /baseline of suite "s"/);
  const model = run("fp32@cpu", ones(4), { ...MODEL, configSha256: "other" });
  assertThrows(() => compareBaseline(baseline, model), InputError, /baseline of another model/);
  const tok = run("fp32@cpu", ones(4), { ...MODEL, tokenizer: { path: "t", sha256: "x" } });
  assertThrows(() => compareBaseline(baseline, tok), InputError, /another tokenizer/);
  assertThrows(
    () => compareBaseline(baseline, run("fp32@cpu", ones(3))),
    InputError,
    /ran 3 items/,
  );
  assertThrows(
    () => compareBaseline(baseline, run("fp16@cpu", ones(4))),
    InputError,
    /no cell fp16@cpu/,
  );
  // Changed weights are what the gate is for: compared, with a note.
  const weights = run("fp32@cpu", ones(4), { ...MODEL, sha256: "w2" });
  assert(compareBaseline(baseline, weights).notes[0].includes("weights differ"));
});
