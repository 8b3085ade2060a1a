import { assert, assertClose, assertEquals } from "../../testing/mod.ts";
import { Prng } from "./prng.ts";

Deno.test("prng: xoshiro128** known answers from state [1, 2, 3, 4]", () => {
  // Hand-derived from the algorithm: out = rotl(s1 * 5, 7) * 9 with s1 = 2, then 0, then 1029.
  const rng = Prng.fromState([1, 2, 3, 4]);
  assertEquals([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [11520, 0, 5927040]);
});

Deno.test("prng: seeds are reproducible and distinct, floats uniform in [0, 1)", () => {
  const draw = (seed: number) => {
    const rng = new Prng(seed);
    return Array.from({ length: 5 }, () => rng.nextFloat());
  };
  assertEquals(draw(7), draw(7));
  assert(draw(7).join() !== draw(8).join(), "seeds 7 and 8 differ");
  assert(draw(2 ** 40).join() !== draw(0).join(), "the high half of the seed counts");
  const rng = new Prng(123);
  const bins = new Array(10).fill(0);
  const n = 100_000;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.nextFloat();
    assert(x >= 0 && x < 1, `out of range: ${x}`);
    sum += x;
    bins[Math.floor(x * 10)]++;
  }
  assertClose(sum / n, 0.5, 0.005, "mean");
  // Each bin expects 10000 ± 95 (1 sd); allow 5 sd.
  for (const count of bins) assertClose(count, n / 10, 480, "bin count");
});
