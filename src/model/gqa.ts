/**
 * The decoder's attention with onnxruntime's com.microsoft kernels: one GroupQueryAttention node
 * per block applies RoPE (half-split, from cos/sin caches built from the checkpoint's `inv_freq`),
 * appends to the KV cache and attends causally.
 *
 * GroupQueryAttention derives positions and the key mask from `seqlens_k` and assumes rows without
 * left padding, so graphs built with these kernels serve unpadded batches only (the runtime checks).
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { float } from "../onnx/mod.ts";
import { cast, type LayerContext, linear } from "./layers.ts";

/** Per-graph inputs every GroupQueryAttention node shares. */
export interface GqaShared {
  /** `[b]` int32: total length − 1 per row. */
  seqlensK: string;
  /** int32 scalar: total length. */
  totalLength: string;
  /** `[max_positions, head_dim / 2]` RoPE tables. */
  cosCache: string;
  sinCache: string;
}

/** Builds the shared inputs from the key mask `[b, total]` and the RoPE frequencies. */
export function gqaShared(ctx: LayerContext, attentionMask: string, cfg: NanoVLMConfig): GqaShared {
  const { g } = ctx;
  return g.scope("gqa", () => {
    const shape = g.op("Shape", [attentionMask]);
    const total = g.op("Slice", [shape, g.ints([1]), g.ints([2])]);
    const batch = g.op("Slice", [shape, g.ints([0]), g.ints([1])]);
    const seqlensK = g.op("Cast", [g.op("Expand", [g.op("Sub", [total, g.ints([1])]), batch])], {
      to: 6,
    });
    const totalLength = g.op("Cast", [g.op("Squeeze", [total, g.ints([0])])], { to: 6 });
    const invFreq = cast(
      g,
      ctx.weights.use(g, "decoder.rotary_embd.inv_freq"),
      ctx.weights.typeOf("decoder.rotary_embd.inv_freq"),
      "float32",
    );
    const positions = g.op("Unsqueeze", [
      g.op("Cast", [
        g.op("Range", [
          g.scalar(0, "int64"),
          g.scalar(cfg.lm_max_position_embeddings, "int64"),
          g.scalar(1, "int64"),
        ]),
      ], { to: 1 }),
      g.ints([1]),
    ]);
    const freqs = g.op("Mul", [positions, invFreq]);
    const scale = (x: string) =>
      cfg.lm_attn_scaling === 1 ? x : g.op("Mul", [x, g.scalar(cfg.lm_attn_scaling)]);
    return {
      seqlensK,
      totalLength,
      cosCache: cast(g, scale(g.op("Cos", [freqs])), "float32", ctx.compute),
      sinCache: cast(g, scale(g.op("Sin", [freqs])), "float32", ctx.compute),
    };
  });
}

/** One block's attention: projections, GroupQueryAttention (RoPE + cache), out_proj. */
export function gqaAttention(
  ctx: LayerContext,
  h: string,
  prefix: string,
  cfg: NanoVLMConfig,
  past: { key: string; value: string },
  shared: GqaShared,
): { attnOut: string; present: { key: string; value: string } } {
  const { g } = ctx;
  const heads = cfg.lm_n_heads, kvHeads = cfg.lm_n_kv_heads;
  const headDim = cfg.lm_hidden_dim / heads;
  const q = linear(ctx, h, `${prefix}.attn.q_proj`, false, heads * headDim);
  const k = linear(ctx, h, `${prefix}.attn.k_proj`, false, kvHeads * headDim);
  const v = linear(ctx, h, `${prefix}.attn.v_proj`, false, kvHeads * headDim);
  const [out, presentKey, presentValue] = g.node("GroupQueryAttention", [
    q,
    k,
    v,
    cast(g, past.key, "float32", ctx.compute),
    cast(g, past.value, "float32", ctx.compute),
    shared.seqlensK,
    shared.totalLength,
    shared.cosCache,
    shared.sinCache,
  ], {
    num_heads: heads,
    kv_num_heads: kvHeads,
    do_rotary: 1,
    rotary_interleaved: 0,
    scale: float(1 / Math.sqrt(headDim)),
  }, { domain: "com.microsoft", outputs: 3 });
  const attnOut = linear(ctx, out, `${prefix}.attn.out_proj`, false, cfg.lm_hidden_dim);
  return { attnOut, present: { key: presentKey, value: presentValue } };
}
