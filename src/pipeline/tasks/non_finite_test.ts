/**
 * Numbers that are not numbers (issue 13 §4): with NaN weights, or a head saturated to 3e38, every
 * task fails with an EngineError naming the graph and output the NaN/Inf came out of, instead of
 * returning empty text, null scores or null vectors; `info --check` names the poisoned tensors.
 */
import {
  openCheckpoint,
  presetConfig,
  readSafetensorsIndex,
  scanNonFinite,
  synthesizeCheckpoint,
} from "../../checkpoint/mod.ts";
import { EngineError } from "../../errors.ts";
import { assertEquals, assertRejects, withTempDir } from "../../testing/mod.ts";
import { NanoVLM } from "../nanovlm.ts";
import { byteLevelTokenizerFiles } from "../text/mod.ts";
import { embed } from "./embed.ts";
import { retrieve } from "./retrieve.ts";

const IMAGE = decodeURIComponent(
  new URL("../../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);

/** Overwrites the first `count` floats of a tensor in place with `value`. */
async function poison(ckpt: string, tensor: string, value: number, count = 1): Promise<void> {
  const file = `${ckpt}/model.safetensors`;
  const entry = (await readSafetensorsIndex(file)).tensors.get(tensor)!;
  const bytes = new Uint8Array(4 * count);
  for (let i = 0; i < count; i++) new DataView(bytes.buffer).setFloat32(4 * i, value, true);
  const handle = await Deno.open(file, { write: true });
  try {
    await handle.seek(entry.offset, Deno.SeekMode.Start);
    await handle.write(bytes);
  } finally {
    handle.close();
  }
}

async function withPoisoned(
  tensor: string,
  value: number,
  fn: (model: NanoVLM, ckpt: string) => Promise<void>,
  count = 1,
): Promise<void> {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), ckpt, { seed: 5 });
    await poison(ckpt, tensor, value, count);
    const model = await NanoVLM.load(ckpt, {
      tokenizer: byteLevelTokenizerFiles(),
      cacheDir: `${dir}/cache`,
      flavour: "inspect",
    });
    try {
      await fn(model, ckpt);
    } finally {
      await model.release();
    }
  });
}

const request = [{ images: [IMAGE], text: "What is this?" }];

Deno.test("non-finite: NaN in the decoder fails greedy, beam, retrieve and embed by name", async () => {
  await withPoisoned("decoder.norm.weight", NaN, async (model, ckpt) => {
    const logits = /the decoder graph's output logits holds NaN \(first at element 0/;
    await assertRejects(() => model.generate(request, { maxNewTokens: 2 }), EngineError, logits);
    await assertRejects(
      () => model.generate(request, { maxNewTokens: 2, numBeams: 2 }),
      EngineError,
      logits,
    );
    await assertRejects(() => retrieve(model, [IMAGE], ["a cat", "a dog"]), EngineError, logits);
    await assertRejects(() => embed(model, { text: "a cat" }), EngineError, logits);
    const bad = await scanNonFinite(await openCheckpoint(ckpt));
    assertEquals(bad, [{ name: "decoder.norm.weight", nan: 1, inf: 0, size: 64 }]);
  });
});

Deno.test("non-finite: NaN in the vision encoder is named at image_embeds", async () => {
  await withPoisoned("vision_encoder.patch_embedding.conv.bias", NaN, async (model) => {
    const vision = /the vision graph's output image_embeds holds NaN/;
    await assertRejects(() => model.generate(request, { maxNewTokens: 2 }), EngineError, vision);
    await assertRejects(() => embed(model, { image: IMAGE }), EngineError, vision);
  });
});

Deno.test("non-finite: a head saturated to 3e38 (tied: the embeddings too) is an error, not an empty caption", async () => {
  await withPoisoned("decoder.head.weight", 3e38, async (model) => {
    await assertRejects(
      () => model.generate(request, { maxNewTokens: 2 }),
      EngineError,
      /the embed graph's output inputs_embeds holds 3\.\d+e\+38, a saturated value/,
    );
  }, 64 * 256);
});
