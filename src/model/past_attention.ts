/**
 * The fast decoder's attention over the KV cache as it is fed in: the new tokens' queries attend
 * to the cached keys (`past.{i}.*`, never copied) and to their own keys, as two products whose
 * scores meet in one softmax. onnxruntime's Attention-23 first copies the whole cache and the new
 * keys into its `present` outputs, every block and every step: its time grows ~0.18 µs per cached
 * position per block, three times this one's, which costs about the same at ~100 positions and a
 * third at 1,000 (current nanoVLM prompts hold 320–1,088 image tokens). The cache then grows
 * outside the graph, from the new tokens' keys and values (`added.{i}.*`).
 *
 * Grouped-query layout, as nanoVLM repeats each KV head for `groups = heads / kv_heads`
 * consecutive query heads: queries `[b, t, heads·d]` become `[b, kv_heads, groups·t, d]`, so every
 * KV head's keys are read once for all its query heads.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { float, type GraphBuilder } from "../onnx/mod.ts";
import { cast, type Compute } from "./layers.ts";

/** What every block's {@link pastAttention} shares. */
export interface PastAttentionShared {
  /** `[b, 1, groups·t, past + t]` float32 additive mask (the causal and padding mask per query,
   * repeated for each query head of a KV head). */
  mask: string;
  /** `[2]` int64: `[past, t]`, where the probabilities split between cached and new keys. */
  sizes: string;
}

/**
 * Builds the shared inputs from the additive mask `[b, 1, t, past + t]` (float32), a cached key
 * `[b, kv_heads, past, d]` and the new tokens `[b, t, ·]`.
 */
export function pastAttentionShared(
  g: GraphBuilder,
  mask: string,
  pastKey: string,
  newTokens: string,
  cfg: NanoVLMConfig,
): PastAttentionShared {
  return g.scope("past_attention", () => {
    const groups = cfg.lm_n_heads / cfg.lm_n_kv_heads;
    const dim = (x: string, axis: number) =>
      g.op("Slice", [g.op("Shape", [x]), g.ints([axis]), g.ints([axis + 1])]);
    return {
      mask: g.op("Tile", [mask, g.ints([1, 1, groups, 1])]),
      sizes: g.op("Concat", [dim(pastKey, 2), dim(newTokens, 1)], { axis: 0 }),
    };
  });
}

/**
 * Attention of the new tokens (queries `q` `[b, t, heads·d]` and keys `k` after RoPE, values `v`,
 * both `[b, t, kv_heads·d]`, in the `compute` type) over the cache `past` (`[b, kv_heads, past, d]`,
 * float32) and themselves: `softmax(q·[K_past; K_new]ᵀ / √d + mask) · [V_past; V_new]`,
 * `[b, t, heads·d]`. Scores and softmax are float32 whatever the compute type.
 */
export function pastAttention(
  g: GraphBuilder,
  compute: Compute,
  q: string,
  k: string,
  v: string,
  past: { key: string; value: string },
  shared: PastAttentionShared,
  cfg: NanoVLMConfig,
): string {
  const heads = cfg.lm_n_heads, kvHeads = cfg.lm_n_kv_heads;
  const groups = heads / kvHeads, d = cfg.lm_hidden_dim / heads;
  // [b, t, heads·d] → [b, t, kv, groups, d] → [b, kv, groups, t, d] → [b, kv, groups·t, d]
  const queries = g.op("Reshape", [
    g.op("Transpose", [g.op("Reshape", [q, g.ints([0, 0, kvHeads, groups, d])])], {
      perm: [0, 2, 3, 1, 4],
    }),
    g.ints([0, kvHeads, -1, d]),
  ]);
  // [b, t, kv·d] → [b, kv, t, d]
  const byHead = (x: string) =>
    g.op("Transpose", [g.op("Reshape", [x, g.ints([0, 0, kvHeads, d])])], { perm: [0, 2, 1, 3] });
  const pastKey = cast(g, past.key, "float32", compute);
  const pastValue = cast(g, past.value, "float32", compute);
  const scores = (keys: string) =>
    g.op("FusedMatMul", [queries, keys], { transB: 1, alpha: float(1 / Math.sqrt(d)) }, {
      domain: "com.microsoft",
    });
  const all = cast(
    g,
    g.op("Concat", [scores(pastKey), scores(byHead(k))], { axis: -1 }),
    compute,
    "float32",
  );
  const probs = cast(
    g,
    g.op("Softmax", [g.op("Add", [all, shared.mask])], { axis: -1 }),
    "float32",
    compute,
  );
  const [pastProbs, newProbs] = g.node("Split", [probs, shared.sizes], { axis: -1 }, {
    outputs: 2,
  });
  const out = g.op("Add", [
    g.op("MatMul", [pastProbs, pastValue]),
    g.op("MatMul", [newProbs, byHead(v)]),
  ]); // [b, kv, groups·t, d]
  // → [b, kv, groups, t, d] → [b, t, kv, groups, d] → [b, t, heads·d]
  return g.op("Reshape", [
    g.op("Transpose", [g.op("Reshape", [out, g.ints([0, kvHeads, groups, -1, d])])], {
      perm: [0, 3, 1, 2, 4],
    }),
    g.ints([0, 0, heads * d]),
  ]);
}
