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
