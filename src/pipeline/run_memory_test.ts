/**
 * Memory estimates before allocating (issue 13 §3): hand-derived sizes for published shapes, and
 * runs past the machine's memory refused with the estimate instead of "Array buffer allocation
 * failed".
 */
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { ConfigError, InputError } from "../errors.ts";
import { assertEquals, assertRejects, assertThrows, withTempDir } from "../testing/mod.ts";
import { largestPreprocessed } from "./image/mod.ts";
import { NanoVLM } from "./nanovlm.ts";
import {
  checkDecoderMemory,
  checkRunMemory,
  decoderMemory,
  estimateRunMemory,
} from "./run_memory.ts";
import { byteLevelTokenizerFiles } from "./text/mod.ts";

const part = (estimate: { parts: { name: string; bytes: number }[] }, name: string) =>
  estimate.parts.find((p) => p.name === name)?.bytes;

Deno.test("run memory: the weights of nanoVLM-222M are its 222,081,600 float32 parameters", () => {
  // Spec nanovlm.md: 222,081,600 parameters (the 888 MB upload).
  assertEquals(part(estimateRunMemory(presetConfig("222m")), "weights"), 222_081_600 * 4);
});

Deno.test("run memory: the KV cache of SmolLM2-135M's shape, by hand", () => {
  // 30 blocks, 3 KV heads of 64 (576 / 9): keys and values, past and present, 1,000 positions,
  // 2 rows, float32.
  const run = decoderMemory(presetConfig("222m"), { batch: 2, positions: 1000, prefill: 100 });
  assertEquals(part(run, "KV cache"), 2 * 2 * 30 * 2 * 3 * 1000 * 64 * 4);
  // 9 heads x 100 x 100 prefill scores per row.
  assertEquals(part(run, "decoder attention scores"), 2 * 9 * 100 * 100 * 4);
  assertEquals(part(run, "logits"), 2 * 49_152 * 4);
  assertEquals(run.bytes, run.parts.reduce((sum, p) => sum + p.bytes, 0));
});

Deno.test("run memory: the largest image of a config, by hand", () => {
  // v0.1/v0.2: one square tile of vit_img_size.
  assertEquals(largestPreprocessed(presetConfig("222m")), { pixels: 224 * 224, tiles: 1 });
  // current: max_img_size 192 in tiles of 64 is a 3 x 3 grid plus the global tile.
  assertEquals(largestPreprocessed(presetConfig("tiny-current")), { pixels: 192 * 192, tiles: 10 });
  // nanoVLM-460M's shape: 2048 in tiles of 512, a 4 x 4 grid plus the global tile.
  const shape = { ...presetConfig("tiny-current"), vit_img_size: 512, max_img_size: 2048 };
  assertEquals(largestPreprocessed(shape), { pixels: 2048 * 2048, tiles: 17 });
});

Deno.test("run memory: a run over the machine's memory names the estimate and the memory", () => {
  const run = {
    bytes: 3_500_000_000,
    parts: [
      { name: "KV cache", bytes: 3_000_000_000 },
      { name: "weights", bytes: 400_000_000 },
      { name: "logits", bytes: 90_000_000 },
      { name: "image preprocessing", bytes: 10_000_000 },
    ],
  };
  const options = { what: "a test run", hint: "use less", errorClass: InputError };
  checkRunMemory(run, { ...options, memory: { total: 4e9, available: 1e9 } });
  assertThrows(
    () => checkRunMemory(run, { ...options, memory: { total: 2e9, available: 1.5e9 } }),
    InputError,
    /^a test run needs about 3\.5 GB of memory \(KV cache 3\.0 GB, weights 400 MB, logits 90 MB\), more than this machine's 2\.0 GB \(1\.5 GB available\)$/,
  );
  // 1,000,000,000 new tokens of SmolLM2-135M's shape: 2 x 2 x 30 x 3 x 64 x 4 = 92,160 bytes
  // of KV cache per position, 92 TB.
  assertThrows(
    () =>
      checkDecoderMemory(presetConfig("222m"), { batch: 1, prompt: 100, newTokens: 1e9 }, {
        total: 64e9,
        available: 32e9,
      }),
    InputError,
    /generating 1,000,000,000 tokens for 1 row\(s\) of 100 prompt positions needs about 92 TB of memory \(KV cache 92 TB/,
  );
});

const PHOTO = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);

Deno.test("run memory: a config whose images need terabytes is refused when the model loads", async () => {
  await withTempDir(async (dir) => {
    // max_img_size 16,384 in tiles of 64: 65,537 tiles, a million image tokens per picture.
    const config = { ...presetConfig("tiny-current"), max_img_size: 16_384 };
    await synthesizeCheckpoint(config, `${dir}/ckpt`);
    await assertRejects(
      () =>
        NanoVLM.load(`${dir}/ckpt`, {
          tokenizer: byteLevelTokenizerFiles(),
          cacheDir: `${dir}/cache`,
        }),
      ConfigError,
      /one image at max_img_size\) needs about \d+ TB of memory \(decoder attention scores .*more than this machine's/,
    );
  });
});

Deno.test("run memory: --max-new-tokens 1,000,000,000 is refused before its cache exists", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-current"), `${dir}/ckpt`);
    const model = await NanoVLM.load(`${dir}/ckpt`, {
      tokenizer: byteLevelTokenizerFiles(),
      cacheDir: `${dir}/cache`,
    });
    try {
      for (const options of [{ maxNewTokens: 1e9 }, { maxNewTokens: 1e9, numBeams: 2 }]) {
        await assertRejects(
          () => model.generate([{ images: [PHOTO], text: "hi" }], options),
          InputError,
          /generating 1,000,000,000 tokens for \d row\(s\) of \d+ prompt positions needs about/,
        );
      }
    } finally {
      await model.release();
    }
  });
});
