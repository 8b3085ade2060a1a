import { init } from "@jax-js/jax";
import { withTempDir } from "../testing/mod.ts";
import { InitRandom } from "./params.ts";
import { applyProbe, loadProbe, saveProbe, trainProbe } from "./probe.ts";

await init("wasm");

Deno.test("probe: a linear head separates linearly separable classes and round-trips through JSON", async () => {
  // Three Gaussian clusters in 6 dimensions, centres 4 apart, unit noise: a linear head must
  // classify held-out points almost perfectly; labels by cluster.
  const random = new InitRandom(1, "clusters");
  const features: Float32Array[] = [], labels: string[] = [];
  const names = ["circle", "square", "star"];
  for (let i = 0; i < 120; i++) {
    const c = i % 3, v = new Float32Array(6);
    for (let k = 0; k < 6; k++) v[k] = (k === c ? 4 : 0) + random.normal();
    features.push(v);
    labels.push(names[c]);
  }
  const result = await trainProbe(features, labels, { valSplit: 0.25, seed: 2 });
  if (result.accuracy < 0.95) throw new Error(`validation accuracy ${result.accuracy}`);
  const total = result.confusion.flat().reduce((a, b) => a + b, 0);
  if (total !== result.validationCount || result.validationCount !== 30) {
    throw new Error(`confusion table counts ${total} of ${result.validationCount}`);
  }
  await withTempDir(async (dir) => {
    await saveProbe(`${dir}/head.json`, result.head);
    const head = await loadProbe(`${dir}/head.json`);
    if (applyProbe(head, features[0]).label !== applyProbe(result.head, features[0]).label) {
      throw new Error("the reloaded head predicts differently");
    }
  });
});

Deno.test("probe: a class signal in a low-variance direction of correlated features is fitted", async () => {
  // 24 latent factors with standard deviations 1 down to 0.001, mixed by a random rotation; the
  // class moves only the smallest factor, by ±3 of its deviations. Every feature sees all the
  // factors, so a head must undo the mixing to find the class (least squares does: the
  // classes are separable).
  const d = 24, random = new InitRandom(4, "correlated");
  const basis: Float64Array[] = [];
  while (basis.length < d) {
    const v = Float64Array.from({ length: d }, () => random.normal());
    for (const b of basis) {
      const dot = v.reduce((s, x, k) => s + x * b[k], 0);
      for (let k = 0; k < d; k++) v[k] -= dot * b[k];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  const scale = (j: number) => 10 ** (-3 * j / (d - 1));
  const features: Float32Array[] = [], labels: string[] = [];
  for (let i = 0; i < 240; i++) {
    const c = i % 2, v = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      const factor = scale(j) * (random.normal() + (j === d - 1 ? (c ? 3 : -3) : 0));
      for (let k = 0; k < d; k++) v[k] += factor * basis[j][k];
    }
    features.push(v);
    labels.push(c ? "right" : "left");
  }
  const result = await trainProbe(features, labels, { valSplit: 0.25, seed: 1 });
  if (result.trainAccuracy < 0.95 || result.accuracy < 0.9) {
    throw new Error(`train ${result.trainAccuracy}, validation ${result.accuracy}`);
  }
});
