/**
 * `deno task bench:drift`: precision and flavour drift on a full-size checkpoint (default: a
 * synthesized 222M). Runs one image + prompt through fp32 inspect (the reference), fp32 fast and
 * fp16 fast, and prints per variant the logits' max-abs and relative error, cosine, KL divergence
 * of the next-token distribution, and greedy agreement over 16 tokens (llama.cpp's
 * `--kl-divergence` style).
 *
 * usage: deno task bench:drift [--checkpoint <dir>]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  compareTensors,
  type Flavour,
  greedyDecode,
  logSoftmax,
  NanoVLMRuntime,
  openCheckpoint,
  type Precision,
  presetConfig,
  synthesizeCheckpoint,
} from "../../src/mod.ts";

const { values } = parseArgs({ args: Deno.args, options: { checkpoint: { type: "string" } } });
const work = await Deno.makeTempDir({ prefix: "nanovlm-drift-" });
try {
  let dir = values.checkpoint;
  if (!dir) {
    dir = `${work}/222m`;
    await synthesizeCheckpoint(presetConfig("222m"), dir, { seed: 0 });
  }
  const checkpoint = await openCheckpoint(dir);
  const c = checkpoint.config;
  const s = c.vit_img_size;
  const pixels = new Float32Array(3 * s * s).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  // Ids spread over the base vocabulary, so that any checkpoint (a tiny one too) has them all.
  const baseVocab = c.lm_base_vocab_size ?? c.lm_vocab_size;
  const textIds = Array.from({ length: 20 }, (_, i) => (100 + 37 * i) % baseVocab);

  const run = async (flavour: Flavour, precision: Precision) => {
    const runtime = await NanoVLMRuntime.load(checkpoint, {
      flavour,
      precision,
      cacheDir: `${work}/cache`,
    });
    try {
      const image = (await runtime.encodeImages(pixels, 1)).embeds;
      const text = await runtime.embedTokens([textIds]);
      const length = runtime.geometry.imageTokensPerImage + textIds.length;
      const embeds = new Float32Array(length * c.lm_hidden_dim);
      embeds.set(image);
      embeds.set(text, image.length);
      const all = [...Array(length).keys()];
      const { logits } = await runtime.decode({
        embeds,
        batch: 1,
        tokens: length,
        attentionMask: all.map(() => 1),
        positionIds: all,
        logitsIndex: all,
      });
      const prompt = { embeds, batch: 1, length, attentionMask: [all.map(() => 1)] };
      const { ids } = await greedyDecode(runtime, prompt, 16);
      return { logits, ids: ids[0], vocab: c.lm_vocab_size, length };
    } finally {
      await runtime.release();
    }
  };

  const reference = await run("inspect", "fp32");
  const rows = [];
  for (
    const [flavour, precision] of [["fast", "fp32"], ["inspect", "fp16"], ["fast", "fp16"]] as const
  ) {
    const r = await run(flavour, precision);
    const cmp = compareTensors("logits", r.logits, reference.logits);
    let kl = 0;
    for (let p = 0; p < r.length; p++) {
      const ref = logSoftmax(reference.logits.subarray(p * r.vocab, (p + 1) * r.vocab));
      const got = logSoftmax(r.logits.subarray(p * r.vocab, (p + 1) * r.vocab));
      for (let v = 0; v < r.vocab; v++) kl += Math.exp(ref[v]) * (ref[v] - got[v]);
    }
    const agree = r.ids.filter((id, i) => id === reference.ids[i]).length;
    rows.push(
      `| ${flavour} | ${precision} | ${cmp.maxAbs.toExponential(2)} | ${
        cmp.rel.toExponential(2)
      } | ${cmp.cosine.toFixed(7)} | ${(kl / r.length).toExponential(2)} | ${agree}/16 |`,
    );
  }
  console.log([
    `# drift vs fp32 inspect on ${
      values.checkpoint ?? "a synthesized nanoVLM-222M"
    } (${reference.length}-token prompt)`,
    "",
    "| flavour | precision | logits max-abs | rel | cosine | mean KL | greedy ids equal |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"));
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
