import { assert, assertClose, assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { InputError } from "../../src/mod.ts";
import { bootstrapInterval, bootstrapMean, quantile, seededRandom } from "./bootstrap.ts";

Deno.test("seededRandom: mulberry32 reference outputs and range", () => {
  // First outputs of mulberry32 with seed 0, computed by hand from its definition:
  // state = 0x6d2b79f5; t = imul(t ^ t>>>15, t|1); t ^= t + imul(t ^ t>>>7, t|61); (t ^ t>>>14)>>>0.
  let t = 0x6d2b79f5;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const first = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  const random = seededRandom(0);
  assertEquals(random(), first);
  for (let i = 0; i < 1000; i++) {
    const x = random();
    assert(x >= 0 && x < 1);
  }
});

Deno.test("quantile interpolates linearly like numpy", () => {
  assertEquals(quantile([1, 2, 3, 4], 0.5), 2.5);
  assertClose(quantile([0, 10], 0.025), 0.25, 1e-12);
});

Deno.test("bootstrapMean: a constant sample gives a zero-width interval", () => {
  const { estimate, low, high } = bootstrapMean([0.5, 0.5, 0.5]);
  assertEquals([estimate, low, high], [0.5, 0.5, 0.5]);
});

Deno.test("bootstrapMean: the 95% interval of a 0/1 sample is near the normal approximation", () => {
  // 200 items, p = 0.5: standard error 0.0354, so the interval is about 0.5 ± 0.069.
  const scores = Array.from({ length: 200 }, (_, i) => i % 2);
  const { low, high } = bootstrapMean(scores, { seed: 11, resamples: 2000 });
  assertClose(low, 0.5 - 1.96 * Math.sqrt(0.25 / 200), 0.015);
  assertClose(high, 0.5 + 1.96 * Math.sqrt(0.25 / 200), 0.015);
});

Deno.test("bootstrapInterval rejects bad settings", () => {
  const mean = (idx: number[]) => idx.length;
  assertThrows(() => bootstrapInterval(0, mean), InputError, /no items/);
  assertThrows(() => bootstrapInterval(3, mean, { confidence: 1 }), InputError, /confidence/);
  assertThrows(() => bootstrapInterval(3, mean, { resamples: 0 }), InputError, /resamples/);
});
