/**
 * nanoVLM's `RotaryEmbedding` (`models/language_model.py`, the same in every generation): cos/sin
 * tables of `position · inv_freq` with the checkpoint's `inv_freq`, the original's dynamic scaling
 * for calls past `lm_max_position_embeddings`, and the explicit half-split ("rotate_half")
 * application. The decoder's three attention kernels all take their tables from here.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import type { GraphBuilder } from "../onnx/mod.ts";
import { cast, castTo, type LayerContext } from "./layers.ts";

/** The checkpoint tensor holding RoPE's frequencies. */
export const INV_FREQ = "decoder.rotary_embd.inv_freq";

/** RoPE tables `cos`, `sin` of `[..., head_dim / 2]` in the compute type (not yet repeated). */
export interface RopeTables {
  /** `cos(position · inv_freq) · lm_attn_scaling`. */
  cos: string;
  /** `sin(position · inv_freq) · lm_attn_scaling`. */
  sin: string;
}

/**
 * `RotaryEmbedding.forward(position_ids)` for int64 positions of any shape: `freqs = float32(pos) ·
 * inv_freq`, then `cos(freqs)`, `sin(freqs)` times `lm_attn_scaling`.
 *
 * Dynamic scaling, as the original: with `max_seq = max(position_ids) + 1` of this call, when
 * `max_seq > lm_max_position_embeddings` the call uses `inv_freq / (max_seq /
 * lm_max_position_embeddings)` (float32 division, as torch). It is written without a branch: the
 * divisor is `max(max_seq / max_positions, 1)`, and dividing by exactly 1 changes nothing, so calls
 * within the limit compute what they did before. `maxSeq` (an int64 `[1]`) replaces the reduction
 * over `positionIds` where the caller knows it (and where `positionIds` may be empty).
 */
export function rotaryEmbedding(
  ctx: LayerContext,
  cfg: NanoVLMConfig,
  positionIds: string,
  maxSeq?: string,
): RopeTables {
  const { g } = ctx;
  return g.scope("rotary_embd", () => {
    const invFreq = cast(g, ctx.weights.use(g, INV_FREQ), ctx.weights.typeOf(INV_FREQ), "float32");
    const pos = castTo(g, positionIds, "float32");
    const seqEnd = maxSeq === undefined
      ? g.op("Add", [g.op("ReduceMax", [pos], { keepdims: 0 }), g.scalar(1)])
      : castTo(g, maxSeq, "float32");
    const scale = g.op("Max", [
      g.op("Div", [seqEnd, g.scalar(cfg.lm_max_position_embeddings)]),
      g.scalar(1),
    ]);
    const freqs = g.op("Mul", [
      g.op("Unsqueeze", [pos, g.ints([-1])]),
      g.op("Div", [invFreq, scale]),
    ]);
    const attentionScaling = (x: string) =>
      cfg.lm_attn_scaling === 1 ? x : g.op("Mul", [x, g.scalar(cfg.lm_attn_scaling)]);
    return {
      cos: cast(g, attentionScaling(g.op("Cos", [freqs])), "float32", ctx.compute),
      sin: cast(g, attentionScaling(g.op("Sin", [freqs])), "float32", ctx.compute),
    };
  });
}

/** `cat([t, t], -1)` unsqueezed on the head axis: `[b, t, d/2]` tables → `[b, 1, t, d]`. */
export function repeatForHeads(g: GraphBuilder, tables: RopeTables): RopeTables {
  const full = (t: string) =>
    g.op("Unsqueeze", [g.op("Concat", [t, t], { axis: -1 }), g.ints([1])]);
  return { cos: full(tables.cos), sin: full(tables.sin) };
}

/**
 * `apply_rotary_pos_embd` for one tensor with explicit ops: `x·cos + rotate_half(x)·sin` on
 * `[b, heads, t, d]` with `[b, 1, t, d]` tables, `rotate_half(x) = cat(-x[..., d/2:], x[..., :d/2])`.
 */
export function applyRotaryPosEmbd(
  g: GraphBuilder,
  x: string,
  tables: RopeTables,
  headDim: number,
): string {
  const [first, second] = g.node("Split", [x, g.ints([headDim / 2, headDim / 2])], { axis: -1 }, {
    outputs: 2,
  });
  const rotated = g.op("Concat", [g.op("Neg", [second]), first], { axis: -1 });
  return g.op("Add", [g.op("Mul", [x, tables.cos]), g.op("Mul", [rotated, tables.sin])]);
}
