/**
 * `deno task bench:drift`: precision and flavour drift on a full-size checkpoint (default: a
 * synthesized 222M). Runs one image + prompt through fp32 inspect (the reference) and each variant
 * (`--variants`, default fp32 fast, fp16 inspect and fast, int8 and int4 fast), and prints per
 * variant the image embeddings' cosine (the vision stage), the logits' max-abs and relative error, cosine, KL divergence
 * of the next-token distribution (mean, p99, max), Δp of the reference's top token, top-1
 * agreement and the first step where 16 greedy tokens diverge (llama.cpp's `--kl-divergence`
 * style), all computed by `src/inspect/drift.ts`.
 *
 * usage: deno task bench:drift [--checkpoint <dir>] [--variants fast:fp32,fast:int4,...]
 *
 * @module
 */
import {
  firstDivergence,
  type Flavour,
  greedyDecode,
  logitsDrift,
  type ModulePrecision,
  NanoVLMRuntime,
  openCheckpoint,
  parsePrecision,
  type Precision,
  stageDrift,
} from "../../src/mod.ts";
import { benchCheckpoint, CHECKPOINT_OPTION, parseBenchArgs } from "./options.ts";

const values = parseBenchArgs({ ...CHECKPOINT_OPTION, variants: { type: "string" } });
const work = await Deno.makeTempDir({ prefix: "nanovlm-drift-" });
try {
  const dir = await benchCheckpoint(values.checkpoint, work);
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
  for (const [flavour, precision] of variants) {
    const r = await run(flavour, parsePrecision(precision));
    const vision = stageDrift("image_embeds", reference.image, r.image);
    const stage = stageDrift("logits", reference.logits, r.logits);
    const d = logitsDrift(reference.logits, r.logits, r.vocab);
    const diverged = firstDivergence(reference.ids, r.ids);
    const e = (x: number) => x.toExponential(2);
    rows.push(
      `| ${flavour} | ${precision} | ${vision.cosine.toFixed(5)} | ${e(stage.maxAbs)} | ${
        e(stage.rel)
      } | ${stage.cosine.toFixed(7)} | ${e(d.kl.mean)} | ${e(d.kl.p99)} | ${e(d.kl.max)} | ${
        e(d.deltaP.mean)
      } | ${(100 * d.top1Agreement).toFixed(1)}% | ${
        diverged === null ? "none in 16" : `step ${diverged}`
      } |`,
    );
  }
  console.log([
    `# drift vs fp32 inspect on ${
      values.checkpoint ?? "a synthesized nanoVLM-222M"
    } (${reference.length}-token prompt)`,
    "",
    "| flavour | precision | image embeds cosine | logits max-abs | rel | cosine | KL mean | KL p99 | KL max | Δp mean | top-1 agree | greedy divergence |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"));
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
