/**
 * `deno task bench:drift`: precision and flavour drift on a full-size checkpoint (default: a
 * synthesized 222M). Runs one image + prompt through fp32 inspect (the reference) and each variant
 * (default fp32 fast, fp16 inspect and fast, int8 and int4 fast), and prints per variant the image
 * embeddings' cosine (the vision stage), the logits' max-abs and relative error, cosine, KL
 * divergence of the next-token distribution, top-1 agreement over the prompt's positions, greedy
 * agreement over 16 tokens and the first step where greedy generation diverges (llama.cpp's
 * `--kl-divergence` style).
 *
 * usage: deno task bench:drift [--checkpoint <dir>] [--variants fast:fp32,fast:int4,...]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  compareTensors,
  type Flavour,
  greedyDecode,
  logSoftmax,
  type ModulePrecision,
  NanoVLMRuntime,
  openCheckpoint,
  parsePrecision,
  type Precision,
  presetConfig,
  synthesizeCheckpoint,
} from "../../src/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { checkpoint: { type: "string" }, variants: { type: "string" } },
});
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

  const run = async (flavour: Flavour, precision: Precision | Partial<ModulePrecision>) => {
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
      return { image, logits, ids: ids[0], vocab: c.lm_vocab_size, length };
    } finally {
      await runtime.release();
    }
  };

  const reference = await run("inspect", "fp32");
  const rows = [];
  const variants = (values.variants ?? "fast:fp32,inspect:fp16,fast:fp16,fast:int8,fast:int4")
    .split(",").map((v) => v.split(":") as [Flavour, string]);
  const top1 = (row: Float32Array) => row.indexOf(Math.max(...row));
  for (const [flavour, spec] of variants) {
    const r = await run(flavour, parsePrecision(spec));
    const vision = compareTensors("image_embeds", r.image, reference.image);
    const cmp = compareTensors("logits", r.logits, reference.logits);
    let kl = 0, top1Agree = 0;
    for (let p = 0; p < r.length; p++) {
      const refRow = reference.logits.subarray(p * r.vocab, (p + 1) * r.vocab);
      const gotRow = r.logits.subarray(p * r.vocab, (p + 1) * r.vocab);
      const ref = logSoftmax(refRow);
      const got = logSoftmax(gotRow);
      for (let v = 0; v < r.vocab; v++) kl += Math.exp(ref[v]) * (ref[v] - got[v]);
      if (top1(refRow) === top1(gotRow)) top1Agree++;
    }
    const agree = r.ids.filter((id, i) => id === reference.ids[i]).length;
    const diverge = r.ids.findIndex((id, i) => id !== reference.ids[i]);
    rows.push(
      `| ${flavour} | ${spec} | ${vision.cosine.toFixed(5)} | ${cmp.maxAbs.toExponential(2)} | ${
        cmp.rel.toExponential(2)
      } | ${cmp.cosine.toFixed(5)} | ${
        (kl / r.length).toExponential(2)
      } | ${top1Agree}/${r.length} | ${agree}/16 | ${diverge < 0 ? "none" : `step ${diverge}`} |`,
    );
  }
  console.log([
    `# drift vs fp32 inspect on ${
      values.checkpoint ?? "a synthesized nanoVLM-222M"
    } (${reference.length}-token prompt)`,
    "",
    "| flavour | precision | image embeds cosine | logits max-abs | rel | logits cosine | mean KL | top-1 agree (positions) | greedy ids equal | first greedy divergence |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"));
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
