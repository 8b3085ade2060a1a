import { floatToHalf, openCheckpoint, presetConfig } from "../checkpoint/mod.ts";
import { withTempDir } from "../testing/mod.ts";
import { initParams, loadParams, saveCheckpoint } from "./params.ts";

Deno.test("train params: a saved checkpoint opens in the toolkit and loads back bit-identical (F32)", async () => {
  await withTempDir(async (dir) => {
    const config = presetConfig("tiny-v0.1");
    const params = initParams(config, 11);
    await saveCheckpoint(config, params, `${dir}/ckpt`);
    const checkpoint = await openCheckpoint(`${dir}/ckpt`);
    if (checkpoint.tensor("decoder.token_embedding.weight").name !== "decoder.head.weight") {
      throw new Error("the tied head is not stored once as decoder.head.weight");
    }
    const loaded = await loadParams(`${dir}/ckpt`);
    for (const [name, { data }] of params) {
      const other = loaded.params.get(name)!.data;
      if (other.length !== data.length || other.some((x, i) => x !== data[i])) {
        throw new Error(`${name} differs after the round trip`);
      }
    }
  });
});

Deno.test("train params: F16 export rounds to nearest even half precision", async () => {
  // Hand-derived half bit patterns: 1 = 0x3c00, -2 = 0xc000, 65504 = max half 0x7bff,
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10 and rounds to even (0x3c00), 2^-24 = 0x0001.
  const cases: [number, number][] = [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [
    1 + 2 ** -11,
    0x3c00,
  ], [
    2 ** -24,
    0x0001,
  ], [1e6, 0x7c00]];
  for (const [value, bits] of cases) {
    if (floatToHalf(value) !== bits) {
      throw new Error(`${value}: got ${floatToHalf(value).toString(16)}`);
    }
  }
  await withTempDir(async (dir) => {
    const config = presetConfig("tiny-v0.1");
    const params = initParams(config, 12);
    await saveCheckpoint(config, params, `${dir}/half`, { float16: true });
    const loaded = await loadParams(`${dir}/half`);
    for (const [name, { data }] of params) {
      const other = loaded.params.get(name)!.data;
      for (let i = 0; i < data.length; i++) {
        if (Math.abs(other[i] - data[i]) > 1e-3 * Math.abs(data[i]) + 1e-7) {
          throw new Error(`${name}[${i}]: ${data[i]} -> ${other[i]}`);
        }
      }
    }
  });
});
