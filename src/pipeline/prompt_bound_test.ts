/**
 * Prompts past the model's positions (issue 13 §3): a 40,000-character prompt is cut to
 * `lm_max_position_embeddings` with a warning, or refused by option, before the model runs.
 */
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { NanoVLM } from "./nanovlm.ts";
import { byteLevelTokenizerFiles } from "./text/mod.ts";

Deno.test("prompts: over lm_max_position_embeddings is truncated with a warning, or refused", async () => {
  await withTempDir(async (dir) => {
    const config = { ...presetConfig("tiny-v0.2"), lm_max_position_embeddings: 256 };
    await synthesizeCheckpoint(config, `${dir}/ckpt`, { seed: 1 });
    const model = await NanoVLM.load(`${dir}/ckpt`, {
      tokenizer: byteLevelTokenizerFiles(),
      cacheDir: `${dir}/cache`,
    });
    const image = decodeURIComponent(
      new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
    );
    try {
      const text = "hello world ".repeat(3400); // 40,800 characters
      const warnings: string[] = [];
      const started = performance.now();
      const { batch } = await model.prepare([{ images: [image], text }], {
        onWarning: (w) => warnings.push(w),
      });
      assertEquals(batch.lmLength, 256, "cut to the model's positions");
      assert(performance.now() - started < 20_000, "bounded before tokenizing");
      assertEquals(warnings.length, 1);
      assert(/cut \d+ token\(s\) from the left to fit the maximum length 256/.test(warnings[0]));
      await assertRejects(
        () => model.prepare([{ images: [image], text }], { truncationSide: "error" }),
        InputError,
        /prompt text is 40800 characters, more than the model's positions can hold/,
      );
      await assertRejects(
        () =>
          model.prepare([{ images: [image], text: "x".repeat(300) }], {
            truncationSide: "error",
          }),
        InputError,
        /prompt 0 needs \d+ positions, over the maximum length 256/,
      );
    } finally {
      await model.release();
    }
  });
});
