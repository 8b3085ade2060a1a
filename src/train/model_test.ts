import { init, numpy as np } from "@jax-js/jax";
import { readSafetensorsIndex, readTensorF32 } from "../checkpoint/mod.ts";
import { fixturePath, fixtureTest, REFERENCE_FIXTURES } from "../testing/mod.ts";
import { imagePlacement, patchify, ropeTables, vlmLogits } from "./model.ts";
import { loadParams, toDevice } from "./params.ts";

await init("wasm");

for (const fixture of REFERENCE_FIXTURES) {
  fixtureTest(
    `train model: ${fixture} forward equals the PyTorch reference logits (fp32, 1e-4 of max-abs)`,
    async () => {
      const dir = fixturePath("reference", fixture);
      const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
      const goldens = await readSafetensorsIndex(`${dir}/goldens.safetensors`);
      const { config, params } = await loadParams(`${dir}/checkpoint`);
      const pixels = await readTensorF32(goldens, "pixel_values");
      const expected = await readTensorF32(goldens, "lm.logits");
      const ids: number[] = manifest.cases.single.input_ids;
      const length: number = manifest.cases.single.lm_seq_len;
      const size = config.vit_img_size, patch = config.vit_patch_size;
      const tiles = pixels.length / (3 * size * size);
      const patches = np.array(patchify(pixels, tiles, size, patch))
        .reshape([tiles, (size / patch) ** 2, 3 * patch * patch]);
      const headDim = config.lm_hidden_dim / config.lm_n_heads;
      const stored = await readSafetensorsIndex(`${dir}/checkpoint/model.safetensors`);
      const rope = ropeTables(await readTensorF32(stored, "decoder.rotary_embd.inv_freq"), length);
      const imageTokens = tiles * (size / patch / config.mp_pixel_shuffle_factor) ** 2;
      const placement = config.generation === "v0.1" ? undefined : np.array(
        imagePlacement([ids], manifest.tokens.image_token_id, imageTokens),
      ).reshape([1, ids.length, imageTokens]);
      const logits = vlmLogits(
        {
          patches,
          ids: np.array(new Int32Array(ids)).reshape([1, ids.length]),
          cos: np.array(rope.cos).reshape([length, headDim]),
          sin: np.array(rope.sin).reshape([length, headDim]),
          placement,
        },
        toDevice(params),
        config,
      );
      const got = await logits.data() as Float32Array;
      if (got.length !== expected.length) {
        throw new Error(`${got.length} logits, expected ${expected.length}`);
      }
      let maxAbs = 0, maxDiff = 0;
      for (let i = 0; i < got.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
      }
      if (!(maxDiff <= 1e-4 * maxAbs)) {
        throw new Error(`max |diff| ${maxDiff} exceeds 1e-4 of max-abs ${maxAbs}`);
      }
    },
  );
}
