import { InputError } from "../errors.ts";
import { assertClose, assertEquals, assertThrows } from "../testing/mod.ts";
import { firstDivergence, logitsDrift, stageDrift } from "./drift.ts";

Deno.test("logits drift of two 2-token distributions, by hand", () => {
  // Position 0: p = (0.5, 0.5) vs q = (e/(1+e), 1/(1+e)); KL = 0.5 ln(0.5/q0) + 0.5 ln(0.5/q1).
  const ref = new Float32Array([0, 0, 2, 0]);
  const other = new Float32Array([1, 0, 2, 0]);
  const d = logitsDrift(ref, other, 2);
  const q0 = Math.E / (1 + Math.E), q1 = 1 / (1 + Math.E);
  const kl = 0.5 * Math.log(0.5 / q0) + 0.5 * Math.log(0.5 / q1);
  assertClose(d.kl.mean, kl / 2, 1e-7);
  assertClose(d.kl.max, kl, 1e-7);
  assertClose(d.kl.p99, kl, 1e-7);
  // Reference top token at position 0 is id 0 (first max): Δp = q0 - 0.5; position 1: 0.
  assertClose(d.deltaP.mean, (q0 - 0.5) / 2, 1e-7);
  assertEquals(d.top1Agreement, 1);
  assertThrows(() => logitsDrift(ref, new Float32Array(2), 2), InputError, /not two equal/);
});

Deno.test("a run against itself drifts by zero; greedy divergence", () => {
  const x = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i));
  const self = stageDrift("s", x, x);
  assertEquals([self.maxAbs, self.rel], [0, 0]);
  assertClose(self.cosine, 1, 1e-12);
  assertEquals(logitsDrift(x, x, 10).kl, { mean: 0, p99: 0, max: 0 });
  assertEquals(firstDivergence([1, 2, 3], [1, 2, 3]), null);
  assertEquals(firstDivergence([1, 2, 3], [1, 5, 3]), 1);
  assertEquals(firstDivergence([1, 2], [1, 2, 3]), 2);
});
