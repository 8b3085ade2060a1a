/**
 * Builds the three ONNX graphs of a nanoVLM checkpoint from one model definition:
 *
 * - `vision`: `pixel_values [n, 3, S, S]` → ViT → projector → `image_embeds [n, tokens, D]`;
 * - `embed`: `input_ids [b, t]` → `inputs_embeds [b, t, D]` (rows of the tied embedding table);
 * - `decoder`: embeddings, mask, positions and KV cache → `logits [b, k, vocab]` + `present.*`
 *   (inspect flavour, com.microsoft kernels) or the new tokens' keys and values alone (fast
 *   flavour: `added.{i}.*`, and all of them as one tensor, {@link ADDED_ALL}).
 *
 * The inspect flavour adds every internal the goldens name (`vit.block0`, `lm.attn_probs.layer1`,
 * ...) as float32 outputs; the fast flavour uses fused ops and has no extra outputs.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { type Dim, GraphBuilder } from "../onnx/mod.ts";
import { cast, type LayerContext } from "./layers.ts";
import { languageModel } from "./decoder.ts";
import { type BuildOptions, computeType, type ModulePrecision } from "./options.ts";
import { modalityProjector } from "./projector.ts";
import { visionEncoder } from "./vision.ts";
import { embeddingTableName, type WeightTable } from "./weights.ts";

/** The graphs of a model. */
export type GraphName = "vision" | "embed" | "decoder";

/**
 * The fast decoder's output holding every block's new keys and values, `[b, t, blocks·2·kv·d]`
 * (block by block, key then value, each `kv_heads·head_dim` wide).
 */
export const ADDED_ALL = "added.all";

/**
 * The layer context of one module, from the build options: its compute type, fused kernels in the
 * fast flavour, and in the inspect flavour explicit ops with a map that records its internals.
 */
function layerContext(
  g: GraphBuilder,
  weights: WeightTable,
  options: BuildOptions,
  module: keyof ModulePrecision,
): LayerContext {
  const inspect = options.flavour === "inspect";
  return {
    g,
    weights,
    compute: computeType(options.precision[module]),
    fused: !inspect,
    taps: inspect ? new Map() : undefined,
  };
}

/** Declares each internal a module recorded as a float32 graph output under its golden name. */
function exposeTaps(ctx: LayerContext): void {
  for (const [name, value] of ctx.taps ?? []) {
    ctx.g.output(cast(ctx.g, value, ctx.compute, "float32"), name, "float32");
  }
}

/** Builds the vision graph (ViT + modality projector). */
export function buildVisionGraph(
  cfg: NanoVLMConfig,
  weights: WeightTable,
  options: BuildOptions,
): GraphBuilder {
  const g = new GraphBuilder("nanovlm_vision");
  const s = cfg.vit_img_size;
  const pixels = g.input("pixel_values", "float32", ["images", 3, s, s]);
  const vit = layerContext(g, weights, options, "vision");
  const mp = layerContext(g, weights, options, "projector");
  const features = visionEncoder(vit, cast(g, pixels, "float32", vit.compute), cfg);
  const projected = modalityProjector(mp, cast(g, features, vit.compute, mp.compute), cfg);
  exposeTaps(vit);
  exposeTaps(mp);
  const tokens: Dim = (s / cfg.vit_patch_size / cfg.mp_pixel_shuffle_factor) ** 2;
  g.output(cast(g, projected, mp.compute, "float32"), "image_embeds", "float32", [
    "images",
    tokens,
    cfg.lm_hidden_dim,
  ]);
  return g;
}

/** Builds the token-embedding graph (a Gather on the embedding table, the head when tied). */
export function buildEmbedGraph(cfg: NanoVLMConfig, weights: WeightTable): GraphBuilder {
  const g = new GraphBuilder("nanovlm_embed");
  const ids = g.input("input_ids", "int64", ["batch", "tokens"]);
  const tableName = embeddingTableName(cfg);
  const table = weights.use(g, tableName);
  const rows = g.op("Gather", [table, ids], { axis: 0 });
  const stored = weights.typeOf(tableName);
  g.output(cast(g, rows, stored, "float32"), "inputs_embeds", "float32", [
    "batch",
    "tokens",
    cfg.lm_hidden_dim,
  ]);
  return g;
}

/** Builds the decoder graph with KV cache and tied head. */
export function buildDecoderGraph(
  cfg: NanoVLMConfig,
  weights: WeightTable,
  options: BuildOptions,
): GraphBuilder {
  const g = new GraphBuilder("nanovlm_decoder");
  const d = cfg.lm_hidden_dim;
  const headDim = d / cfg.lm_n_heads;
  const kvShape: Dim[] = ["batch", cfg.lm_n_kv_heads, "past", headDim];
  const inputs = {
    embeds: g.input("inputs_embeds", "float32", ["batch", "embedded", d]),
    inputIds: g.input("input_ids", "int64", ["batch", "ids"]),
    attentionMask: g.input("attention_mask", "int64", ["batch", "total"]),
    positionIds: g.input("position_ids", "int64", ["batch", "tokens"]),
    logitsIndex: g.input("logits_index", "int64", ["selected"]),
    past: Array.from({ length: cfg.lm_n_blocks }, (_, i) => ({
      key: g.input(`past.${i}.key`, "float32", kvShape),
      value: g.input(`past.${i}.value`, "float32", kvShape),
    })),
  };
  const ctx = layerContext(g, weights, options, "decoder");
  const { logits, present, added } = languageModel(ctx, inputs, cfg, {
    kernels: options.kernels,
  });
  const compute = ctx.compute;
  g.output(cast(g, logits, compute, "float32"), "logits", "float32", [
    "batch",
    "selected",
    cfg.lm_vocab_size,
  ]);
  const presentShape: Dim[] = ["batch", cfg.lm_n_kv_heads, "total", headDim];
  present.forEach((p, i) => {
    g.output(cast(g, p.key, compute, "float32"), `present.${i}.key`, "float32", presentShape);
    g.output(cast(g, p.value, compute, "float32"), `present.${i}.value`, "float32", presentShape);
  });
  const kv = cfg.lm_n_kv_heads * headDim;
  const addedParts = added.flatMap((a) =>
    [a.key, a.value].map((t) => cast(g, t, compute, "float32"))
  );
  // All of them as one tensor, block by block, key then value: a step fetches one output
  // instead of two a block. (Made before the outputs below rename its inputs.)
  if (addedParts.length > 0) {
    g.output(g.op("Concat", addedParts, { axis: -1 }), ADDED_ALL, "float32", [
      "batch",
      "tokens",
      addedParts.length * kv,
    ]);
  }
  const addedShape: Dim[] = ["batch", "tokens", kv];
  addedParts.forEach((part, j) => {
    g.output(part, `added.${j >> 1}.${j % 2 ? "value" : "key"}`, "float32", addedShape);
  });
  exposeTaps(ctx);
  return g;
}

/** Builds one graph by name. */
export function buildGraph(
  name: GraphName,
  cfg: NanoVLMConfig,
  weights: WeightTable,
  options: BuildOptions,
): GraphBuilder {
  switch (name) {
    case "vision":
      return buildVisionGraph(cfg, weights, options);
    case "embed":
      return buildEmbedGraph(cfg, weights);
    case "decoder":
      return buildDecoderGraph(cfg, weights, options);
  }
}
