import { leastSquaresAccuracy } from "./position_probe.ts";

Deno.test("position read-out: a linearly separable set reads out fully, a constant feature gives the majority class", () => {
  // Class k sits at the k-th unit vector plus a small, deterministic wobble.
  const x: Float32Array[] = [], labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const k = i % 3, v = new Float32Array(4);
    v[k] = 1;
    v[3] = Math.sin(i) * 0.2;
    x.push(v);
    labels.push(k);
  }
  const fit = x.map((_, i) => i).filter((i) => i < 30);
  const score = x.map((_, i) => i).filter((i) => i >= 30);
  const separable = leastSquaresAccuracy(x, labels, 3, fit, score);
  if (separable !== 1) throw new Error(`separable set read out at ${separable}`);
  // A feature that says nothing: every item gets the class most frequent in the fit half.
  const flat = x.map(() => new Float32Array([1]));
  const skewed = labels.map((k, i) => (i % 5 === 0 ? k : 2));
  const majority = score.filter((i) => skewed[i] === 2).length / score.length;
  const constant = leastSquaresAccuracy(flat, skewed, 3, fit, score);
  if (Math.abs(constant - majority) > 1e-12) {
    throw new Error(`constant feature: ${constant}, majority share ${majority}`);
  }
});
