import { InputError } from "../errors.ts";
import { assertClose, assertEquals, assertThrows } from "../testing/mod.ts";
import { fuseHeads, rolloutMatrix, rolloutVector, vitRollout } from "./rollout.ts";
import { LabelledTensor } from "./tensor.ts";

const eye = (n: number) =>
  Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

Deno.test("rollout of identity attention is the identity", () => {
  assertEquals([...rolloutMatrix([eye(4), eye(4), eye(4)], 4)], [...eye(4)]);
  const heads = new LabelledTensor(
    ["head", "query", "key"],
    [2, 9, 9],
    new Float32Array([...eye(9), ...eye(9)]),
  );
  // Without CLS: the mean over patches of the identity is uniform.
  const scores = vitRollout([heads, heads], 3, { headFusion: "max" });
  for (const row of scores) for (const v of row) assertClose(v, 1 / 9, 1e-7);
});

Deno.test("rollout of a 2-token causal attention, by hand", () => {
  // A = [[1, 0], [0.5, 0.5]] -> (A + I)/2 = [[1, 0], [0.25, 0.75]]; two layers: the square,
  // [[1, 0], [0.25 + 0.1875, 0.5625]] = [[1, 0], [0.4375, 0.5625]].
  const a = new Float32Array([1, 0, 0.5, 0.5]);
  const r = rolloutMatrix([a, a], 2);
  [1, 0, 0.4375, 0.5625].forEach((v, i) => assertClose(r[i], v, 1e-7));
  const v = rolloutVector(new Float32Array([0, 1]), [a, a], 2);
  assertClose(v[0], 0.4375, 1e-7);
  assertClose(v[1], 0.5625, 1e-7);
});

Deno.test("head fusion mean/max/min and the discard ratio", () => {
  const probs = new LabelledTensor(
    ["head", "query", "key"],
    [2, 1, 4],
    new Float32Array([0.1, 0.2, 0.3, 0.4, 0.4, 0.3, 0.2, 0.1]),
  );
  assertEquals([...fuseHeads(probs, { headFusion: "max" })].map((x) => +x.toFixed(6)), [
    0.4,
    0.3,
    0.3,
    0.4,
  ]);
  assertEquals([...fuseHeads(probs, { headFusion: "min" })].map((x) => +x.toFixed(6)), [
    0.1,
    0.2,
    0.2,
    0.1,
  ]);
  // Mean is 0.25 everywhere; discarding half zeroes the first two (stable order on ties).
  assertEquals([...fuseHeads(probs, { discardRatio: 0.5 })].map((x) => +x.toFixed(6)), [
    0,
    0,
    0.25,
    0.25,
  ]);
  assertThrows(() => fuseHeads(probs, { discardRatio: 1 }), InputError, /not in \[0, 1\)/);
});
