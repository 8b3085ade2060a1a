/**
 * nanoVLM's vision encoder (`models/vision_transformer.py`, identical in every generation): a
 * SigLIP ViT with a conv patch embedding plus learned position embedding, pre-norm blocks
 * (LayerNorm → fused-QKV attention → LayerNorm → tanh-GELU MLP) and a final LayerNorm.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import {
  add,
  geluTanh,
  type LayerContext,
  layerNorm,
  linear,
  mergeHeads,
  packedHeadsAttention,
  scaledDotProductAttention,
  splitHeads,
  weight,
} from "./layers.ts";

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
    const flat = g.op("Reshape", [conv, g.ints([0, cfg.vit_hidden_dim, -1])]); // flatten(2)
    const tokens = g.op("Transpose", [flat], { perm: [0, 2, 1] }); // transpose(1, 2)
    return add(g, tokens, weight(ctx, "vision_encoder.patch_embedding.position_embedding"));
  });
}

/** `ViTMultiHeadAttention` of block `layer`: fused qkv projection, split q, k, v, bidirectional attention, out_proj. */
function attention(ctx: LayerContext, x: string, layer: number, cfg: NanoVLMConfig): string {
  const { g } = ctx;
  const prefix = `vision_encoder.blocks.${layer}.attn`;
  const d = cfg.vit_hidden_dim;
  const heads = cfg.vit_n_heads;
  const headDim = d / heads;
  return g.scope("attn", () => {
    const qkv = linear(ctx, x, `${prefix}.qkv_proj`);
    const qkvParts = g.node("Split", [qkv, g.ints([d, d, d])], { axis: -1 }, { outputs: 3 });
    const outProj = `${prefix}.out_proj`;
    if (ctx.fused && ctx.taps === undefined) {
      const [q, k, v] = qkvParts;
      return linear(ctx, packedHeadsAttention(ctx, q, k, v, heads, headDim), outProj);
    }
    const [q, k, v] = qkvParts.map((t) => splitHeads(g, t, heads, headDim));
    const out = scaledDotProductAttention(ctx, q, k, v, {
      heads,
      kvHeads: heads,
      headDim,
      probsTap: `vit.attn_probs.layer${layer}`,
    });
    return linear(ctx, mergeHeads(g, out, heads, headDim), outProj);
  });
}

/** `ViTMLP` of block `layer`: fc1 → GELU(tanh) → fc2. */
function mlp(ctx: LayerContext, x: string, layer: number): string {
  const prefix = `vision_encoder.blocks.${layer}.mlp`;
  return ctx.g.scope("mlp", () => {
    const hidden = geluTanh(ctx.g, linear(ctx, x, `${prefix}.fc1`));
    return linear(ctx, hidden, `${prefix}.fc2`);
  });
}

/** `ViTBlock.forward`: `x = x + attn(ln1(x))`, then `x + mlp(ln2(x))`. */
function vitBlock(ctx: LayerContext, x: string, layer: number, cfg: NanoVLMConfig): string {
  const norm = (t: string, name: string) =>
    layerNorm(ctx, t, `vision_encoder.blocks.${layer}.${name}`, cfg.vit_ln_eps);
  return ctx.g.scope(`blocks.${layer}`, () => {
    x = add(ctx.g, x, attention(ctx, norm(x, "ln1"), layer, cfg));
    return add(ctx.g, x, mlp(ctx, norm(x, "ln2"), layer));
  });
}

/**
 * The ViT forward pass: `pixels [n, 3, S, S]` → `[n, patches, vit_hidden_dim]`. With taps, records
 * the patch embeddings, each block's residual stream and attention map, and the output.
 */
export function visionEncoder(ctx: LayerContext, pixels: string, cfg: NanoVLMConfig): string {
  return ctx.g.scope("vision_encoder", () => {
    let x = patchEmbedding(ctx, pixels, cfg);
    ctx.taps?.set("vit.patch_embeds", x);
    for (let i = 0; i < cfg.vit_n_blocks; i++) {
      x = vitBlock(ctx, x, i, cfg);
      ctx.taps?.set(`vit.block${i}`, x);
    }
    const out = layerNorm(ctx, x, "vision_encoder.layer_norm", cfg.vit_ln_eps);
    ctx.taps?.set("vit.output", out);
    return out;
  });
}
