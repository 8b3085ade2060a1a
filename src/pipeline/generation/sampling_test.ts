import { assert, assertClose, assertEquals, assertThrows } from "../../testing/mod.ts";
import { EngineError, InputError } from "../../errors.ts";
import {
  applyRepetitionPenalty,
  argmax,
  type FilterOptions,
  samplingDistribution,
  TokenSelector,
} from "./sampling.ts";
import { NANOVLM_SAMPLING, resolveSamplingOptions } from "./sampling_options.ts";

/** Logits whose softmax is exactly p = [0.5, 0.25, 0.15, 0.1]. */
const P = [0.5, 0.25, 0.15, 0.1];
const LOGITS = Float32Array.from(P.map(Math.log));

function dist(logits: Float32Array, options: Partial<FilterOptions>) {
  const d = samplingDistribution(logits, {
    temperature: 1,
    topK: 0,
    topP: 1,
    order: "hf",
    ...options,
  });
  return { ids: d.ids, probs: d.probs };
}

function assertProbs(actual: number[], expected: number[]) {
  assertEquals(actual.length, expected.length, `${actual} vs ${expected}`);
  actual.forEach((p, i) => assertClose(p, expected[i], 1e-6, `prob ${i}`));
}

Deno.test("sampling: argmax takes the first maximum; NaN and all -Infinity are errors", () => {
  assertEquals(argmax(Float32Array.from([1, 3, 3, 2])), 1);
  assertEquals(argmax(Float32Array.from([-Infinity, -5])), 1);
  assertThrows(() => argmax(Float32Array.from([0, NaN, 1])), EngineError, /NaN at token 1/);
  assertThrows(() => argmax(Float32Array.from([-Infinity, -Infinity])), EngineError, /every logit/);
});

Deno.test("sampling: top-p surviving sets, HF (keeps the crossing token) vs nanoVLM (drops it)", () => {
  // Ascending cumulative mass 0.1, 0.25, 0.5, 1: HF drops what is <= 0.3 -> keeps {0, 1}.
  const hf = dist(LOGITS, { topP: 0.7 });
  assertEquals(hf.ids, [0, 1]);
  assertProbs(hf.probs, [2 / 3, 1 / 3]);
  // Descending cumulative mass 0.5, 0.75, ...: nanoVLM drops everything above 0.7 but the first.
  assertEquals(dist(LOGITS, { topP: 0.7, order: "nanovlm" }).ids, [0]);
  assertEquals(dist(LOGITS, { topP: 0.8, order: "nanovlm" }).ids, [0, 1]);
  assertEquals(dist(LOGITS, { topP: 0.8 }).ids, [0, 1, 2]);
  // A tiny top_p keeps the most likely token in both orders.
  assertEquals(dist(LOGITS, { topP: 0.01 }).ids, [0]);
  assertEquals(dist(LOGITS, { topP: 0.01, order: "nanovlm" }).ids, [0]);
  assertProbs(dist(LOGITS, {}).probs, P);
});

Deno.test("sampling: temperature before top-p (HF) vs after it (nanoVLM)", () => {
  // T = 2: scaled probs ∝ sqrt(p) = [0.7071, 0.5, 0.3873, 0.3162] -> [0.3701, 0.2617, 0.2027, 0.1655].
  // HF top-p 0.7 drops only id 3 (0.1655 <= 0.3 < 0.3682); the rest renormalise.
  const s = [Math.sqrt(0.5), Math.sqrt(0.25), Math.sqrt(0.15)];
  const total = s[0] + s[1] + s[2];
  const hf = dist(LOGITS, { temperature: 2, topP: 0.7 });
  assertEquals(hf.ids, [0, 1, 2]);
  assertProbs(hf.probs, s.map((x) => x / total));
  // nanoVLM: the nucleus is computed at temperature 1 -> only id 0 is left.
  assertEquals(dist(LOGITS, { temperature: 2, topP: 0.7, order: "nanovlm" }).ids, [0]);
  // Without top-p, both orders give softmax(logits / T) over the top-k set.
  const nano = dist(LOGITS, { temperature: 2, topK: 2, order: "nanovlm" });
  assertProbs(nano.probs, [s[0] / (s[0] + s[1]), s[1] / (s[0] + s[1])]);
  assertProbs(dist(LOGITS, { temperature: 2, topK: 2 }).probs, nano.probs);
});

Deno.test("sampling: top-k keeps ties with the k-th value and ignores -Infinity", () => {
  const logits = Float32Array.from([1, 3, 3, 2, -Infinity]);
  assertEquals(dist(logits, { topK: 1 }).ids, [1, 2]);
  assertEquals(dist(logits, { topK: 2 }).ids, [1, 2]);
  assertEquals(dist(logits, { topK: 3 }).ids, [1, 2, 3]);
  assertEquals(dist(logits, { topK: 10 }).ids, [0, 1, 2, 3]);
  // With top-p on, survivors come most likely first, the lower id first on ties.
  assertEquals(dist(logits, { topK: 10, topP: 0.999 }).ids, [1, 2, 3, 0]);
  assertEquals(dist(Float32Array.from([3, 3, 3, 1]), { topK: 2 }).ids, [0, 1, 2]);
  // A wide vocabulary: top-5 of a permutation of 0..49999 is its 5 largest values.
  const wide = new Float32Array(50_000);
  for (let i = 0; i < wide.length; i++) wide[i] = (i * 7919) % wide.length;
  const top = dist(wide, { topK: 5 }).ids.map((id) => wide[id]).sort((a, b) => b - a);
  assertEquals(top, [49999, 49998, 49997, 49996, 49995]);
});

Deno.test("sampling: empirical frequencies with a fixed seed match the distribution", () => {
  const n = 20_000;
  const count = (options: ConstructorParameters<typeof TokenSelector>[0], logits = LOGITS) => {
    const selector = new TokenSelector(options);
    const counts = new Array(logits.length).fill(0);
    for (let i = 0; i < n; i++) counts[selector.select(logits)]++;
    return counts.map((c) => c / n);
  };
  // 1 sd of a frequency is at most sqrt(0.25 / n) = 0.0035; allow 4 sd.
  count({ doSample: true, seed: 1 }).forEach((f, i) => assertClose(f, P[i], 0.014, `token ${i}`));
  const nucleus = count({ doSample: true, seed: 2, topP: 0.7 });
  [2 / 3, 1 / 3, 0, 0].forEach((p, i) => assertClose(nucleus[i], p, 0.014, `top-p token ${i}`));
  assertEquals(count({ doSample: true, seed: 3 }), count({ doSample: true, seed: 3 }));
});

Deno.test("sampling: greedy, temperature 0, repetition penalty and suppression", () => {
  assertEquals(new TokenSelector().select(LOGITS), 0);
  assertEquals(new TokenSelector({ doSample: true, temperature: 0 }).select(LOGITS), 0);
  const logits = Float32Array.from([2, -1, 0.5]);
  applyRepetitionPenalty(logits, [0, 1, 1], 2);
  assertEquals([...logits], [1, -2, 0.5]);
  // Penalty 4 on previous ids {0, 2}: [2 / 4, -1, 0.5 / 4] = [0.5, -1, 0.125] -> greedy 0;
  // with 0 suppressed, 0.125 > -1 -> 2.
  const selector = new TokenSelector({ repetitionPenalty: 4 });
  const raw = Float32Array.from([2, -1, 0.5]);
  assertEquals(selector.select(raw, { previousIds: [0, 2] }), 0);
  assertEquals(selector.select(raw, { previousIds: [0, 2], suppressIds: [0] }), 2);
  assertEquals([...raw], [2, -1, 0.5], "select does not modify its input");
  assertEquals(new TokenSelector().select(raw, { suppressIds: [0] }), 2);
});

Deno.test("sampling: option validation and the original defaults", () => {
  assertThrows(
    () => resolveSamplingOptions({ topP: 0 }),
    InputError,
    /top_p must be in \(0, 1\], got 0/,
  );
  assertThrows(() => resolveSamplingOptions({ topP: 1.5 }), InputError, /top_p/);
  assertThrows(() => resolveSamplingOptions({ topP: NaN }), InputError, /top_p/);
  assertThrows(
    () => resolveSamplingOptions({ topK: -1 }),
    InputError,
    /top_k must be an integer >= 0/,
  );
  assertThrows(() => resolveSamplingOptions({ topK: 2.5 }), InputError, /top_k/);
  assertThrows(() => resolveSamplingOptions({ temperature: -0.1 }), InputError, /temperature/);
  assertThrows(
    () => resolveSamplingOptions({ repetitionPenalty: 0 }),
    InputError,
    /repetition_penalty/,
  );
  assertThrows(() => resolveSamplingOptions({ seed: -3 }), InputError, /seed/);
  assertThrows(
    () => resolveSamplingOptions({ order: "torch" as "hf" }),
    InputError,
    /sampling order must be "hf" or "nanovlm"/,
  );
  const resolved = resolveSamplingOptions({ seed: 5 });
  assertEquals(resolved, {
    doSample: false,
    temperature: 1,
    topK: 0,
    topP: 1,
    order: "hf",
    repetitionPenalty: 1,
    seed: 5,
  });
  assertEquals(NANOVLM_SAMPLING["v0.2"], {
    doSample: true,
    temperature: 0.5,
    topK: 50,
    topP: 0.9,
    order: "nanovlm",
  });
  assert(new TokenSelector({ doSample: true, temperature: 0 }).greedy, "temperature 0 is greedy");
});
