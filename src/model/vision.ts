/**
 * nanoVLM's vision encoder (`models/vision_transformer.py`, identical in every generation): a
 * SigLIP ViT with a conv patch embedding plus learned position embedding, pre-norm blocks
 * (LayerNorm → fused-QKV attention → LayerNorm → tanh-GELU MLP) and a final LayerNorm.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import {
  attention,
  geluTanh,
  type LayerContext,
  layerNorm,
  linear,
  mergeHeads,
  splitHeads,
  weight,
} from "./layers.ts";

/** Internals the inspect flavour exposes, by golden name (`vit.block0`, ...). */
export type Taps = Map<string, string>;

/** Options of {@link visionEncoder}. */
export interface VisionOptions {
  fused: boolean;
  /** Record internals (patch embeddings, residual streams, attention maps) into `taps`. */
  taps?: Taps;
}

/** `ViTPatchEmbeddings`: conv (kernel = stride = patch) → flatten → transpose → + position embedding. */
function patchEmbedding(ctx: LayerContext, pixels: string, cfg: NanoVLMConfig): string {
  const { g } = ctx;
  const p = cfg.vit_patch_size;
  return g.scope("patch_embedding", () => {
    const conv = g.op("Conv", [
      pixels,
      weight(ctx, "vision_encoder.patch_embedding.conv.weight"),
      weight(ctx, "vision_encoder.patch_embedding.conv.bias"),
    ], { kernel_shape: [p, p], strides: [p, p] });
    const tokens = g.op(
      "Transpose",
      [g.op("Reshape", [conv, g.ints([0, cfg.vit_hidden_dim, -1])])],
      {
        perm: [0, 2, 1],
      },
    );
    return g.op("Add", [tokens, weight(ctx, "vision_encoder.patch_embedding.position_embedding")]);
  });
}

/** `ViTMultiHeadAttention`: fused qkv projection, split q, k, v, bidirectional attention, out_proj. */
function selfAttention(
  ctx: LayerContext,
  x: string,
  prefix: string,
  cfg: NanoVLMConfig,
  opts: VisionOptions,
  layer: number,
): string {
  const { g } = ctx;
  const d = cfg.vit_hidden_dim;
  const heads = cfg.vit_n_heads;
  const headDim = d / heads;
  return g.scope("attn", () => {
    const qkv = linear(ctx, x, `${prefix}.qkv_proj`, true, 3 * d);
    const [q, k, v] = g.node("Split", [qkv, g.ints([d, d, d])], { axis: -1 }, { outputs: 3 })
      .map((t) => splitHeads(g, t, heads, headDim));
    const { out, probs } = attention(ctx, q, k, v, {
      heads,
      kvHeads: heads,
      headDim,
      fused: opts.fused,
      probs: opts.taps !== undefined,
    });
    if (probs) opts.taps!.set(`vit.attn_probs.layer${layer}`, probs);
    return linear(ctx, mergeHeads(g, out, heads, headDim), `${prefix}.out_proj`, true, d);
  });
}

/** `ViTMLP`: fc1 → GELU(tanh) → fc2. */
function mlp(ctx: LayerContext, x: string, prefix: string, cfg: NanoVLMConfig): string {
  return ctx.g.scope("mlp", () => {
    const hidden = geluTanh(ctx.g, linear(ctx, x, `${prefix}.fc1`, true, cfg.vit_inter_dim));
    return linear(ctx, hidden, `${prefix}.fc2`, true, cfg.vit_hidden_dim);
  });
}

/** The ViT forward pass: `pixels [n, 3, S, S]` → `[n, patches, vit_hidden_dim]`. */
export function visionEncoder(
  ctx: LayerContext,
  pixels: string,
  cfg: NanoVLMConfig,
  opts: VisionOptions,
): string {
  const { g } = ctx;
  return g.scope("vision_encoder", () => {
    let x = patchEmbedding(ctx, pixels, cfg);
    opts.taps?.set("vit.patch_embeds", x);
    for (let i = 0; i < cfg.vit_n_blocks; i++) {
      const prefix = `vision_encoder.blocks.${i}`;
      x = g.scope(`blocks.${i}`, () => {
        const h = g.op("Add", [
          x,
          selfAttention(
            ctx,
            layerNorm(ctx, x, `${prefix}.ln1`, cfg.vit_ln_eps),
            `${prefix}.attn`,
            cfg,
            opts,
            i,
          ),
        ]);
        return g.op("Add", [
          h,
          mlp(ctx, layerNorm(ctx, h, `${prefix}.ln2`, cfg.vit_ln_eps), `${prefix}.mlp`, cfg),
        ]);
      });
      opts.taps?.set(`vit.block${i}`, x);
    }
    const out = layerNorm(ctx, x, "vision_encoder.layer_norm", cfg.vit_ln_eps);
    opts.taps?.set("vit.output", out);
    return out;
  });
}
