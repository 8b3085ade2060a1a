/**
 * nanoVLM's language model (`models/language_model.py`): a SmolLM2/Llama decoder with RMSNorm,
 * half-split ("rotate_half") RoPE with the checkpoint's `inv_freq`, grouped-query attention with an
 * explicit KV cache, a SwiGLU MLP, a final RMSNorm and the head tied to the token embedding.
 *
 * One graph serves prefill and decode: keys and values of earlier steps come in as
 * `past.{i}.key/value [b, kv_heads, past, head_dim]` (after RoPE) and leave as `present.{i}.*`.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { float, type GraphBuilder } from "../onnx/mod.ts";
import {
  attention,
  cast,
  type Compute,
  type LayerContext,
  linear,
  lowest,
  mergeHeads,
  rmsNorm,
  silu,
  splitHeads,
} from "./layers.ts";
import type { Taps } from "./vision.ts";
import { embeddingTableName } from "./weights.ts";
import { gqaAttention, type GqaShared, gqaShared } from "./gqa.ts";

/** Names of the decoder graph's inputs. */
export interface DecoderInputs {
  /** `[b, t_e, D]` float: merged image and text embeddings of new tokens (prefill). */
  embeds: string;
  /** `[b, t_i]` int64: ids of new tokens looked up in the tied table (decode steps); they follow
   * `embeds`, so one of the two is usually empty. */
  inputIds: string;
  /** `[b, past + t]` int64: 1 for real tokens, 0 for padding. */
  attentionMask: string;
  /** `[b, t]` int64: RoPE positions of the new tokens. */
  positionIds: string;
  /** `[k]` int64: positions (within the new tokens) whose logits are wanted. */
  logitsIndex: string;
  /** Per block: `[b, kv_heads, past, head_dim]` keys and values of earlier tokens. */
  past: { key: string; value: string }[];
}

/** Options of {@link languageModel}. */
export interface DecoderOptions {
  fused: boolean;
  /** With `fused`: ONNX standard kernels (default) or com.microsoft ones (GroupQueryAttention). */
  kernels?: "onnx" | "microsoft";
  taps?: Taps;
}

/** RoPE tables for the new tokens: `cos`, `sin` of `[b, t, head_dim/2]` (`pos · inv_freq`). */
function ropeTables(
  ctx: LayerContext,
  positionIds: string,
  cfg: NanoVLMConfig,
): { cos: string; sin: string } {
  const { g } = ctx;
  return g.scope("rotary_embd", () => {
    const invFreq = ctx.weights.use(g, "decoder.rotary_embd.inv_freq");
    const pos = g.op("Unsqueeze", [g.op("Cast", [positionIds], { to: 1 }), g.ints([-1])]);
    const freqs = g.op("Mul", [
      pos,
      cast(g, invFreq, ctx.weights.typeOf("decoder.rotary_embd.inv_freq"), "float32"),
    ]);
    const scale = (x: string) =>
      cfg.lm_attn_scaling === 1 ? x : g.op("Mul", [x, g.scalar(cfg.lm_attn_scaling)]);
    return {
      cos: cast(g, scale(g.op("Cos", [freqs])), "float32", ctx.compute),
      sin: cast(g, scale(g.op("Sin", [freqs])), "float32", ctx.compute),
    };
  });
}

/** `q·cos + rotate_half(q)·sin` on `[b, heads, t, d]` with explicit ops (half-split layout). */
function applyRope(
  g: GraphBuilder,
  x: string,
  cosFull: string,
  sinFull: string,
  headDim: number,
): string {
  const [first, second] = g.node("Split", [x, g.ints([headDim / 2, headDim / 2])], { axis: -1 }, {
    outputs: 2,
  });
  const rotated = g.op("Concat", [g.op("Neg", [second]), first], { axis: -1 });
  return g.op("Add", [g.op("Mul", [x, cosFull]), g.op("Mul", [rotated, sinFull])]);
}

/**
 * The additive attention mask `[b, 1, t, past + t]`: query i (absolute position past + i) sees key j
 * when j <= past + i and the key is not padding; hidden keys get the compute type's lowest value.
 */
function attentionMask(
  g: GraphBuilder,
  attentionMaskInput: string,
  newTokens: string,
  compute: Compute,
): string {
  return g.scope("mask", () => {
    const total = g.op("Slice", [g.op("Shape", [attentionMaskInput]), g.ints([1]), g.ints([2])]);
    const count = g.op("Slice", [g.op("Shape", [newTokens]), g.ints([1]), g.ints([2])]);
    const past = g.op("Sub", [total, count]);
    const scalarOf = (x: string) => g.op("Squeeze", [x, g.ints([0])]);
    const keyIndex = g.op("Range", [g.scalar(0, "int64"), scalarOf(total), g.scalar(1, "int64")]);
    const queryIndex = g.op("Range", [scalarOf(past), scalarOf(total), g.scalar(1, "int64")]);
    const causal = g.op("LessOrEqual", [
      g.op("Unsqueeze", [keyIndex, g.ints([0])]),
      g.op("Unsqueeze", [queryIndex, g.ints([1])]),
    ]); // [t, s]
    const keep = g.op("Unsqueeze", [g.op("Cast", [attentionMaskInput], { to: 9 }), g.ints([1, 2])]); // [b,1,1,s]
    const visible = g.op("And", [causal, keep]); // [b, 1, t, s]
    return g.op("Where", [visible, g.scalar(0, compute), g.scalar(lowest(compute), compute)]);
  });
}

/**
 * The fast flavour's attention: RotaryEmbedding-23 and Attention-23 on `[b, t, heads*d]` tensors
 * (heads given as attributes, so no reshapes or transposes), the KV cache appended inside
 * Attention (`past` in, `present` out).
 */
function fusedAttention(
  ctx: LayerContext,
  h: string,
  prefix: string,
  cfg: NanoVLMConfig,
  rope: { cos: string; sin: string },
  mask: string,
  past: { key: string; value: string },
): { attnOut: string; present: { key: string; value: string } } {
  const { g } = ctx;
  const heads = cfg.lm_n_heads, kvHeads = cfg.lm_n_kv_heads;
  const headDim = cfg.lm_hidden_dim / heads;
  const project = (name: string, n: number) =>
    linear(ctx, h, `${prefix}.attn.${name}`, false, n * headDim);
  const q = g.op("RotaryEmbedding", [project("q_proj", heads), rope.cos, rope.sin], {
    num_heads: heads,
  });
  const k = g.op("RotaryEmbedding", [project("k_proj", kvHeads), rope.cos, rope.sin], {
    num_heads: kvHeads,
  });
  const [out, presentKey, presentValue] = g.node(
    "Attention",
    [
      q,
      k,
      project("v_proj", kvHeads),
      mask,
      cast(g, past.key, "float32", ctx.compute),
      cast(g, past.value, "float32", ctx.compute),
    ],
    { q_num_heads: heads, kv_num_heads: kvHeads, scale: float(1 / Math.sqrt(headDim)) },
    { outputs: 3 },
  );
  const attnOut = linear(ctx, out, `${prefix}.attn.out_proj`, false, cfg.lm_hidden_dim);
  return { attnOut, present: { key: presentKey, value: presentValue } };
}

/** One `LanguageModelBlock`: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`. */
function block(
  ctx: LayerContext,
  x: string,
  i: number,
  cfg: NanoVLMConfig,
  rope: { cos: string; sin: string; cosFull: string; sinFull: string },
  mask: string,
  past: { key: string; value: string },
  opts: DecoderOptions,
  gqa?: GqaShared,
): { x: string; present: { key: string; value: string } } {
  const { g } = ctx;
  const prefix = `decoder.blocks.${i}`;
  const heads = cfg.lm_n_heads;
  const kvHeads = cfg.lm_n_kv_heads;
  const headDim = cfg.lm_hidden_dim / heads;
  return g.scope(`blocks.${i}`, () => {
    const h = rmsNorm(ctx, x, `${prefix}.norm1`, cfg.lm_rms_eps, opts.fused);
    const { attnOut, present } = g.scope("attn", () => {
      if (gqa) return gqaAttention(ctx, h, prefix, cfg, past, gqa);
      if (opts.fused) return fusedAttention(ctx, h, prefix, cfg, rope, mask, past);
      let q = splitHeads(
        g,
        linear(ctx, h, `${prefix}.attn.q_proj`, false, heads * headDim),
        heads,
        headDim,
      );
      let k = splitHeads(
        g,
        linear(ctx, h, `${prefix}.attn.k_proj`, false, kvHeads * headDim),
        kvHeads,
        headDim,
      );
      const v = splitHeads(
        g,
        linear(ctx, h, `${prefix}.attn.v_proj`, false, kvHeads * headDim),
        kvHeads,
        headDim,
      );
      q = applyRope(g, q, rope.cosFull, rope.sinFull, headDim);
      k = applyRope(g, k, rope.cosFull, rope.sinFull, headDim);
      const pastKey = cast(g, past.key, "float32", ctx.compute);
      const pastValue = cast(g, past.value, "float32", ctx.compute);
      const keys = g.op("Concat", [pastKey, k], { axis: 2 });
      const values = g.op("Concat", [pastValue, v], { axis: 2 });
      const { out, probs } = attention(ctx, q, keys, values, {
        heads,
        kvHeads,
        headDim,
        mask,
        fused: false,
        probs: opts.taps !== undefined,
      });
      if (probs) opts.taps!.set(`lm.attn_probs.layer${i}`, probs);
      const attnOut = linear(
        ctx,
        mergeHeads(g, out, heads, headDim),
        `${prefix}.attn.out_proj`,
        false,
        cfg.lm_hidden_dim,
      );
      return { attnOut, present: { key: keys, value: values } };
    });
    const mid = g.op("Add", [x, attnOut]);
    const m = rmsNorm(ctx, mid, `${prefix}.norm2`, cfg.lm_rms_eps, opts.fused);
    const mlpOut = g.scope("mlp", () => {
      const gate = silu(g, linear(ctx, m, `${prefix}.mlp.gate_proj`, false, cfg.lm_inter_dim));
      const up = linear(ctx, m, `${prefix}.mlp.up_proj`, false, cfg.lm_inter_dim);
      return linear(
        ctx,
        g.op("Mul", [gate, up]),
        `${prefix}.mlp.down_proj`,
        false,
        cfg.lm_hidden_dim,
      );
    });
    return { x: g.op("Add", [mid, mlpOut]), present };
  });
}

/**
 * The decoder forward pass with KV cache and the tied head: returns the logits of the positions in
 * `logitsIndex` (`[b, k, vocab]`, compute type) and the present keys/values per block.
 */
export function languageModel(
  ctx: LayerContext,
  inputs: DecoderInputs,
  cfg: NanoVLMConfig,
  opts: DecoderOptions,
): { logits: string; present: { key: string; value: string }[] } {
  const { g } = ctx;
  return g.scope("decoder", () => {
    const { cos, sin } = ropeTables(ctx, inputs.positionIds, cfg);
    const full = (t: string) =>
      g.op("Unsqueeze", [g.op("Concat", [t, t], { axis: -1 }), g.ints([1])]);
    const rope = { cos, sin, cosFull: full(cos), sinFull: full(sin) };
    opts.taps?.set("lm.rope_cos", rope.cosFull);
    opts.taps?.set("lm.rope_sin", rope.sinFull);
    const table = embeddingTableName(cfg);
    const looked = g.op("Gather", [ctx.weights.use(g, table), inputs.inputIds], {
      axis: 0,
    });
    let x = g.op("Concat", [
      cast(g, inputs.embeds, "float32", ctx.compute),
      cast(g, looked, ctx.weights.typeOf(table), ctx.compute),
    ], { axis: 1 });
    opts.taps?.set("lm.inputs_embeds", x);
    const mask = attentionMask(g, inputs.attentionMask, x, ctx.compute);
    const gqa = opts.fused && opts.kernels === "microsoft"
      ? gqaShared(ctx, inputs.attentionMask, cfg)
      : undefined;
    const present = [];
    for (let i = 0; i < cfg.lm_n_blocks; i++) {
      const result = block(ctx, x, i, cfg, rope, mask, inputs.past[i], opts, gqa);
      x = result.x;
      present.push(result.present);
      opts.taps?.set(`lm.block${i}`, x);
    }
    const hidden = rmsNorm(ctx, x, "decoder.norm", cfg.lm_rms_eps, opts.fused);
    opts.taps?.set("lm.hidden", hidden);
    const selected = g.op("Gather", [hidden, inputs.logitsIndex], { axis: 1 });
    const logits = linear(ctx, selected, "decoder.head", false, cfg.lm_vocab_size);
    return { logits, present };
  });
}
