/**
 * The decoder's attention with onnxruntime's com.microsoft kernels: one GroupQueryAttention node
 * per block applies RoPE (half-split, from cos/sin caches built from the checkpoint's `inv_freq`),
 * appends to the KV cache and attends causally. Where q/k/v are one stacked matrix (the quantised
 * fast flavour), its output goes in packed (`query` = `[b, t, (heads + 2·kv_heads)·head_dim]`).
 *
 * GroupQueryAttention derives positions and the key mask from `seqlens_k` and assumes rows without
 * left padding, so graphs built with these kernels serve unpadded batches only (the runtime checks).
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { float } from "../onnx/mod.ts";
import { cast, castTo, type LayerContext, linear, linears } from "./layers.ts";
import { QKV_PROJ } from "./weights.ts";
import { rotaryEmbedding } from "./rope.ts";

/** Per-graph inputs every GroupQueryAttention node shares. */
export interface GqaShared {
  /** `[b]` int32: total length − 1 per row. */
  seqlensK: string;
  /** int32 scalar: total length. */
  totalLength: string;
  /** `[total, head_dim / 2]` RoPE cosine table, indexed by absolute position. */
  cosCache: string;
  /** The sine table, like `cosCache`. */
  sinCache: string;
}

/**
 * Builds the shared inputs from the key mask `[b, total]` and the RoPE frequencies.
 *
 * GroupQueryAttention reads RoPE from tables indexed by position; the new tokens sit at positions
 * `past .. total-1`, so the original's dynamic scaling applies when `total` exceeds
 * `lm_max_position_embeddings`, and then to every row of the table. Within the limit the rows are
 * the first `total` of the unscaled table over `0 .. max_positions-1`, a constant onnxruntime folds
 * once; beyond it, the call computes a table of its own over `0 .. total-1`, scaled by
 * `total / max_positions`. The two are joined without a branch: the one that does not apply
 * contributes zero rows.
 */
export function gqaShared(ctx: LayerContext, attentionMask: string, cfg: NanoVLMConfig): GqaShared {
  const { g } = ctx;
  return g.scope("gqa", () => {
    const shape = g.op("Shape", [attentionMask]);
    const total = g.op("Slice", [shape, g.ints([1]), g.ints([2])]);
    const batch = g.op("Slice", [shape, g.ints([0]), g.ints([1])]);
    const seqlensK = castTo(g, g.op("Expand", [g.op("Sub", [total, g.ints([1])]), batch]), "int32");
    const totalLength = castTo(g, g.op("Squeeze", [total, g.ints([0])]), "int32");
    const limit = cfg.lm_max_position_embeddings;
    const beyond = castTo(g, g.op("Greater", [total, g.ints([limit])]), "int64"); // [1]: 0 or 1
    const positions = (count: string) =>
      g.op("Range", [
        g.scalar(0, "int64"),
        g.op("Squeeze", [count, g.ints([0])]),
        g.scalar(1, "int64"),
      ]);
    const within = rotaryEmbedding(ctx, cfg, positions(g.ints([limit])), g.ints([limit]));
    const scaled = rotaryEmbedding(ctx, cfg, positions(g.op("Mul", [total, beyond])), total);
    const withinRows = g.op("Mul", [total, g.op("Sub", [g.ints([1]), beyond])]);
    const join = (a: string, b: string) =>
      g.op("Concat", [g.op("Slice", [a, g.ints([0]), withinRows]), b], { axis: 0 });
    return {
      seqlensK,
      totalLength,
      cosCache: join(within.cos, scaled.cos),
      sinCache: join(within.sin, scaled.sin),
    };
  });
}

/** One block's attention: projections, GroupQueryAttention (RoPE + cache), out_proj. */
export function gqaAttention(
  ctx: LayerContext,
  x: string,
  prefix: string,
  cfg: NanoVLMConfig,
  past: { key: string; value: string },
  shared: GqaShared,
): { out: string; present: { key: string; value: string } } {
  const { g } = ctx;
  const heads = cfg.lm_n_heads, kvHeads = cfg.lm_n_kv_heads;
  const headDim = cfg.lm_hidden_dim / heads;
  // Stacked q/k/v weights (quantised fast flavour) feed GroupQueryAttention packed, no Split.
  const packed = ctx.weights.quantOf(`${prefix}.${QKV_PROJ.name}.weight`)?.rows !== undefined;
  const qkv = packed
    ? [linear(ctx, x, `${prefix}.${QKV_PROJ.name}`), "", ""]
    : linears(ctx, x, prefix, QKV_PROJ);
  const [out, presentKey, presentValue] = g.node("GroupQueryAttention", [
    ...qkv,
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
  return {
    out: linear(ctx, out, `${prefix}.out_proj`),
    present: { key: presentKey, value: presentValue },
  };
}
