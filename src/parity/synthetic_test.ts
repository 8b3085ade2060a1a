/**
 * Parity of the graphs on synthesized checkpoints whose geometry matches the published models
 * (64 image tokens per image): fast vs inspect flavour, both vs the independent float64 reference
 * model (`src/testing/reference_model.ts`, itself checked against the PyTorch goldens), KV-cached
 * greedy decoding vs full-recompute greedy, and left padding vs unpadded rows.
 */
import {
  type Checkpoint,
  type NanoVLMConfig,
  openCheckpoint,
  presetConfig,
  Random,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { argmax, generateTokens, mergeImageEmbeddings } from "../pipeline/mod.ts";
import type { Flavour } from "../model/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import {
  assert,
  assertEquals,
  referenceGreedy,
  referenceInputsEmbeds,
  referenceLogits,
  referenceVision,
  withTempDir,
} from "../testing/mod.ts";
import { compareTensors } from "./compare.ts";

const REL = 1e-4;
const STEPS = 12;
/** Greedy ids are only a meaningful check where the top-1/top-2 margin exceeds float32 noise. */
const MIN_MARGIN = 1e-3;

/** v0.2 with the 450M's image geometry: 128 px / patch 8 = 16x16 patches, shuffle 2 → 64 tokens. */
const V02: NanoVLMConfig = {
  ...presetConfig("tiny-v0.2"),
  vit_img_size: 128,
  mp_image_token_length: 64,
};
/** Current generation with 64 tokens per 128 px tile; max_img_size 256 allows 2x2 tiles. */
const CURRENT: NanoVLMConfig = {
  ...presetConfig("tiny-current"),
  vit_img_size: 128,
  mp_image_token_length: 64,
  max_img_size: 256,
};

const bytes = (text: string) => [...text].map((c) => c.charCodeAt(0));
const image = (id: number) => Array(64).fill(id);

/** `count` images `[count, 3, S, S]` with 8-bit pixel values, deterministic in `seed`. */
function randomPixels(count: number, size: number, seed: number): Float32Array {
  const random = new Random(seed, "pixels");
  return Float32Array.from(
    { length: count * 3 * size * size },
    () => Math.floor(random.nextUint32() / 2 ** 24) / 255,
  );
}

function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>): number {
  const c = compareTensors(name, got, want, { rel: REL });
  assert(c.pass, `${name}: rel ${c.rel} (max-abs ${c.maxAbs})`);
  return c.rel;
}

/** Graph pipeline: encode the images, embed the ids, merge, prefill every position. */
async function graphForward(
  runtime: NanoVLMRuntime,
  ids: number[][],
  pixels: Float32Array,
  images: number,
  mask = ids.map((row) => row.map(() => 1)),
) {
  const cfg = runtime.config;
  const vision = await runtime.encodeImages(pixels, images);
  const embeds = mergeImageEmbeddings({
    generation: cfg.generation,
    tokenEmbeds: await runtime.embedTokens(ids),
    ids,
    imageEmbeds: vision.embeds,
    tokensPerImage: runtime.geometry.imageTokensPerImage,
    dim: cfg.lm_hidden_dim,
    imageTokenId: cfg.lm_base_vocab_size,
  });
  const length = ids[0].length;
  const all = [...Array(length).keys()];
  const { logits } = await runtime.decode({
    embeds,
    batch: ids.length,
    tokens: length,
    attentionMask: mask.flat(),
    positionIds: ids.flatMap(() => all),
    logitsIndex: all,
  });
  return { imageEmbeds: vision.embeds, embeds, logits, length, mask };
}

/** KV-cached greedy ids of the graphs. */
async function graphGreedy(runtime: NanoVLMRuntime, embeds: Float32Array, mask: number[][]) {
  const ids: number[][] = mask.map(() => []);
  const prompt = { embeds, batch: mask.length, length: mask[0].length, attentionMask: mask };
  const loop = generateTokens(
    runtime,
    prompt,
    { maxNewTokens: STEPS, select: (l) => argmax(l) },
    ids,
  );
  for await (const _ of loop);
  return ids;
}

async function withRuntimes(
  config: NanoVLMConfig,
  seed: number,
  fn: (ckpt: Checkpoint, runtimes: Record<Flavour, NanoVLMRuntime>) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(config, `${dir}/checkpoint`, { seed });
    const ckpt = await openCheckpoint(`${dir}/checkpoint`);
    const cacheDir = `${dir}/cache`;
    const fast = await NanoVLMRuntime.load(ckpt, { flavour: "fast", cacheDir });
    const inspect = await NanoVLMRuntime.load(ckpt, { flavour: "inspect", cacheDir });
    try {
      await fn(ckpt, { fast, inspect });
    } finally {
      await fast.release();
      await inspect.release();
    }
  });
}

/**
 * Checks (b): every flavour's mp output and all-position logits against the reference, and the
 * fast flavour's KV-cached greedy ids against the reference's full recompute.
 */
async function checkAgainstReference(
  ckpt: Checkpoint,
  runtimes: Record<Flavour, NanoVLMRuntime>,
  ids: number[][],
  pixels: Float32Array,
  images: number,
): Promise<void> {
  const ref = await referenceVision(ckpt, pixels, images);
  const merged = await referenceInputsEmbeds(ckpt, ids, ref.projected);
  const refLogits = await referenceLogits(ckpt, merged.embeds, merged.length);
  for (const [flavour, runtime] of Object.entries(runtimes)) {
    const graph = await graphForward(runtime, ids, pixels, images);
    expectClose(`${flavour} mp.output vs reference`, graph.imageEmbeds, ref.projected);
    expectClose(`${flavour} merged embeds vs reference`, graph.embeds, merged.embeds);
    expectClose(`${flavour} logits vs reference`, graph.logits, refLogits);
  }
  const want = await referenceGreedy(ckpt, merged.embeds, merged.length, STEPS);
  const margin = Math.min(...want.margins[0]);
  assert(margin > MIN_MARGIN, `reference greedy margin ${margin} too thin: pick another seed`);
  const graph = await graphForward(runtimes.fast, ids, pixels, images);
  assertEquals(await graphGreedy(runtimes.fast, graph.embeds, graph.mask), want.ids);
}

/** Token ids follow the fixtures' scheme: ASCII codes, `<|image|>` = lm_base_vocab_size, pad 2. */
const [V02_IMAGE, PAD] = [V02.lm_base_vocab_size!, 2];
const V02_LONG = [...image(V02_IMAGE), ...bytes("Question: What is this? Answer:")];
const V02_SHORT = [...image(V02_IMAGE), ...bytes("Color? Answer:")];

Deno.test("synthetic v0.2 (64 image tokens): flavours, reference, greedy and padding agree", async (t) => {
  await withRuntimes(V02, 3, async (ckpt, runtimes) => {
    const pixels = randomPixels(2, V02.vit_img_size, 1);
    const first = pixels.subarray(0, pixels.length / 2);
    const second = pixels.subarray(pixels.length / 2);

    await t.step("(a) fast and inspect agree on image embeddings and all logits", async () => {
      const fast = await graphForward(runtimes.fast, [V02_LONG], first, 1);
      const inspect = await graphForward(runtimes.inspect, [V02_LONG], first, 1);
      expectClose("image embeds fast vs inspect", fast.imageEmbeds, inspect.imageEmbeds);
      expectClose("logits fast vs inspect", fast.logits, inspect.logits);
    });

    await t.step(
      "(b) graphs agree with the float64 reference; cached greedy = recompute",
      async () => {
        const vit = await runtimes.inspect.encodeImages(first, 1, ["vit.output"]);
        const ref = await referenceVision(ckpt, first, 1);
        expectClose(
          "inspect vit.output vs reference",
          vit.taps["vit.output"].data as Float32Array,
          ref.vit,
        );
        await checkAgainstReference(ckpt, runtimes, [V02_LONG], first, 1);
      },
    );

    await t.step("(c) a left-padded batch equals each row alone at valid positions", async () => {
      const pad = V02_LONG.length - V02_SHORT.length;
      const ids = [V02_LONG, [...Array(pad).fill(PAD), ...V02_SHORT]];
      const mask = ids.map((row, r) => row.map((_, i) => (r === 1 && i < pad ? 0 : 1)));
      const batch = await graphForward(runtimes.fast, ids, pixels, 2, mask);
      const alone = [
        await graphForward(runtimes.fast, [V02_LONG], first, 1),
        await graphForward(runtimes.fast, [V02_SHORT], second, 1),
      ];
      const rowLogits = (r: number) =>
        batch.logits.subarray(
          (r * batch.length + (r === 1 ? pad : 0)) * V02.lm_vocab_size,
          (r + 1) * batch.length * V02.lm_vocab_size,
        );
      expectClose("row 0 padded batch vs alone", rowLogits(0), alone[0].logits);
      expectClose("row 1 padded batch vs alone", rowLogits(1), alone[1].logits);
      // Greedy in the batch: the same ids as the reference's masked full recompute.
      const ref = await referenceVision(ckpt, pixels, 2);
      const merged = await referenceInputsEmbeds(ckpt, ids, ref.projected);
      const want = await referenceGreedy(ckpt, merged.embeds, merged.length, STEPS, mask);
      const margin = Math.min(...want.margins.flat());
      assert(margin > MIN_MARGIN, `reference batch greedy margin ${margin} too thin`);
      assertEquals(await graphGreedy(runtimes.fast, batch.embeds, mask), want.ids);
    });
  });
});

Deno.test("synthetic current (global + 2x2 tiles, 64 tokens each): graphs agree with the reference", async () => {
  await withRuntimes(CURRENT, 5, async (ckpt, runtimes) => {
    const base = CURRENT.lm_base_vocab_size!;
    const [imageId, globalId] = [base, base + 1];
    const tile = (
      row: number,
      col: number,
    ) => [base + 2 + 8 * (row - 1) + (col - 1), ...image(imageId)];
    const ids = [[
      1,
      ...bytes("user\n"),
      globalId,
      ...image(imageId),
      ...tile(1, 1),
      ...tile(1, 2),
      ...tile(2, 1),
      ...tile(2, 2),
      ...bytes("What is this?"),
      2,
      ...bytes("\n"),
      1,
      ...bytes("assistant\n"),
    ]];
    await checkAgainstReference(ckpt, runtimes, ids, randomPixels(5, CURRENT.vit_img_size, 2), 5);
  });
});
