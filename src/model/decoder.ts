/**
 * nanoVLM's language model (`models/language_model.py`): a SmolLM2/Llama decoder with RMSNorm,
 * half-split ("rotate_half") RoPE with the checkpoint's `inv_freq`, grouped-query attention with an
 * explicit KV cache, a SwiGLU MLP, a final RMSNorm and the head tied to the token embedding.
 *
 * One graph serves prefill and decode: keys and values of earlier steps come in as
 * `past.{i}.key/value [b, kv_heads, past, head_dim]` (after RoPE). The inspect flavour (and the
 * com.microsoft kernels) return the grown cache as `present.{i}.*`; the fast flavour attends to the
 * past as it is and returns only the new tokens' own `added.{i}.*` (`[b, t, kv_heads * head_dim]`),
 * which the runtime appends to its cache.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import type { GraphBuilder } from "../onnx/mod.ts";
import { gqaAttention, type GqaShared, gqaShared } from "./gqa.ts";
import { pastAttention, type PastAttentionShared, pastAttentionShared } from "./past_attention.ts";
import {
  addRmsNorm,
  cast,
  castTo,
  type Compute,
  type LayerContext,
  linear,
  linears,
  lowest,
  mergeHeads,
  rmsNorm,
  scaledDotProductAttention,
  silu,
  splitHeads,
} from "./layers.ts";
import type { Kernels } from "./options.ts";
import { applyRotaryPosEmbd, repeatForHeads, type RopeTables, rotaryEmbedding } from "./rope.ts";
import { embeddingTableName, GATE_UP_PROJ, QKV_PROJ } from "./weights.ts";

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
  past: KeyValue[];
}

/** Options of {@link languageModel}. */
export interface DecoderOptions {
  /** With a fused context: ONNX standard kernels (default) or com.microsoft ones (GroupQueryAttention). */
  kernels?: Kernels;
}

/** One block's keys and values (`past` in, `present` out). */
export interface KeyValue {
  /** `[b, kv_heads, tokens, head_dim]` keys after RoPE. */
  key: string;
  /** `[b, kv_heads, tokens, head_dim]` values. */
  value: string;
}

/**
 * What every block's attention shares: RoPE tables (half, for RotaryEmbedding-23) and the grouped
 * mask (fast flavour), repeated tables and the mask (explicit ops), or GroupQueryAttention's inputs.
 */
type AttentionShared =
  | { kind: "past"; rope: RopeTables; past: PastAttentionShared }
  | { kind: "explicit"; ropeForHeads: RopeTables; mask: string }
  | { kind: "gqa"; gqa: GqaShared };

/**
 * An attention layer's output `[b, t, D]` with the block's cache including the new tokens
 * (`present`), or the new tokens' keys (after RoPE) and values alone (`added`,
 * `[b, t, kv_heads * head_dim]`: the fast flavour).
 */
type AttentionResult = { out: string; present: KeyValue } | { out: string; added: KeyValue };

/**
 * The additive attention mask `[b, 1, t, past + t]`: query i (absolute position past + i) sees key j
 * when j <= past + i and the key is not padding; hidden keys get the lowest value of `compute`.
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
    const keep = g.op("Unsqueeze", [castTo(g, attentionMaskInput, "bool"), g.ints([1, 2])]); // [b,1,1,s]
    const visible = g.op("And", [causal, keep]); // [b, 1, t, s]
    return g.op("Where", [visible, g.scalar(0, compute), g.scalar(lowest(compute), compute)]);
  });
}

/**
 * The fast flavour's attention: RotaryEmbedding-23 on `[b, t, heads*d]` tensors (heads given as
 * attributes, so no reshapes), then {@link pastAttention} over the cache as fed in; the new keys
 * and values leave alone (`added`).
 */
function fusedAttention(
  ctx: LayerContext,
  x: string,
  prefix: string,
  cfg: NanoVLMConfig,
  shared: { rope: RopeTables; past: PastAttentionShared },
  past: KeyValue,
): AttentionResult {
  const { g } = ctx;
  const { cos, sin } = shared.rope;
  const rotary = (t: string, n: number) => g.op("RotaryEmbedding", [t, cos, sin], { num_heads: n });
  const [qProj, kProj, vProj] = linears(ctx, x, prefix, QKV_PROJ);
  const q = rotary(qProj, cfg.lm_n_heads);
  const k = rotary(kProj, cfg.lm_n_kv_heads);
  const out = pastAttention(g, ctx.compute, q, k, vProj, past, shared.past, cfg);
  return { out: linear(ctx, out, `${prefix}.out_proj`), added: { key: k, value: vProj } };
}

/**
 * The inspect flavour's attention, as the original writes it: q, k, v split into heads, RoPE,
 * keys and values appended to the cache, scaled dot-product attention (probabilities recorded),
 * heads merged, out_proj.
 */
function explicitAttention(
  ctx: LayerContext,
  x: string,
  layer: number,
  cfg: NanoVLMConfig,
  shared: { ropeForHeads: RopeTables; mask: string },
  past: KeyValue,
): AttentionResult {
  const { g } = ctx;
  const prefix = `decoder.blocks.${layer}.attn`;
  const heads = cfg.lm_n_heads, kvHeads = cfg.lm_n_kv_heads;
  const headDim = cfg.lm_hidden_dim / heads;
  const project = (name: string, n: number) =>
    splitHeads(g, linear(ctx, x, `${prefix}.${name}`), n, headDim);
  const rope = (t: string) => applyRotaryPosEmbd(g, t, shared.ropeForHeads, headDim);
  const q = rope(project("q_proj", heads));
  const k = rope(project("k_proj", kvHeads));
  const v = project("v_proj", kvHeads);
  const keys = g.op("Concat", [cast(g, past.key, "float32", ctx.compute), k], { axis: 2 });
  const values = g.op("Concat", [cast(g, past.value, "float32", ctx.compute), v], { axis: 2 });
  const out = scaledDotProductAttention(ctx, q, keys, values, {
    heads,
    kvHeads,
    headDim,
    mask: shared.mask,
    probsTap: `lm.attn_probs.layer${layer}`,
  });
  return {
    out: linear(ctx, mergeHeads(g, out, heads, headDim), `${prefix}.out_proj`),
    present: { key: keys, value: values },
  };
}

/**
 * `LanguageModelGroupedQueryAttention` of block `layer`: projections, RoPE, KV cache, grouped-query
 * attention and out_proj, with the kernels the shared inputs select (attention over the past as
 * fed in, com.microsoft GroupQueryAttention, or explicit ops).
 */
function attention(
  ctx: LayerContext,
  x: string,
  layer: number,
  cfg: NanoVLMConfig,
  shared: AttentionShared,
  past: KeyValue,
): AttentionResult {
  const prefix = `decoder.blocks.${layer}.attn`;
  return ctx.g.scope("attn", () => {
    if (shared.kind === "gqa") return gqaAttention(ctx, x, prefix, cfg, past, shared.gqa);
    if (shared.kind === "past") return fusedAttention(ctx, x, prefix, cfg, shared, past);
    return explicitAttention(ctx, x, layer, cfg, shared, past);
  });
}

/** `LanguageModelMLP` of block `layer`: `down_proj(silu(gate_proj(x)) * up_proj(x))`. */
function mlp(ctx: LayerContext, x: string, layer: number): string {
  const { g } = ctx;
  const prefix = `decoder.blocks.${layer}.mlp`;
  return g.scope("mlp", () => {
    const [gateProj, up] = linears(ctx, x, prefix, GATE_UP_PROJ);
    return linear(ctx, g.op("Mul", [silu(g, gateProj), up]), `${prefix}.down_proj`);
  });
}

/**
 * `LanguageModelBlock.forward`: `x + attn(norm1(x))`, then `+ mlp(norm2(·))`. Takes `normed`
 * (norm1(x), which the previous boundary computed with its sum) and returns the block's output
 * `x` with `next`, the RMSNorm of it under `nextNorm` (the next block's norm1, or the final norm).
 */
function block(
  ctx: LayerContext,
  x: string,
  normed: string,
  layer: number,
  cfg: NanoVLMConfig,
  shared: AttentionShared,
  past: KeyValue,
  nextNorm: string,
): { x: string; next: string; attn: AttentionResult } {
  return ctx.g.scope(`blocks.${layer}`, () => {
    const attn = attention(ctx, normed, layer, cfg, shared, past);
    const norm2 = `decoder.blocks.${layer}.norm2`;
    const [mlpIn, mid] = addRmsNorm(ctx, attn.out, x, norm2, cfg.lm_rms_eps);
    const [next, out] = addRmsNorm(ctx, mlp(ctx, mlpIn, layer), mid, nextNorm, cfg.lm_rms_eps);
    return { x: out, next, attn };
  });
}

/** The inputs every block's attention shares, for the kernels in use. */
function attentionShared(
  ctx: LayerContext,
  inputs: DecoderInputs,
  x: string,
  cfg: NanoVLMConfig,
  kernels: Kernels,
): AttentionShared {
  if (ctx.fused && kernels === "microsoft") {
    return { kind: "gqa", gqa: gqaShared(ctx, inputs.attentionMask, cfg) };
  }
  const rope = rotaryEmbedding(ctx, cfg, inputs.positionIds);
  if (ctx.fused) {
    const mask = attentionMask(ctx.g, inputs.attentionMask, x, "float32");
    return {
      kind: "past",
      rope,
      past: pastAttentionShared(ctx.g, mask, inputs.past[0].key, x, cfg),
    };
  }
  const ropeForHeads = repeatForHeads(ctx.g, rope);
  ctx.taps?.set("lm.rope_cos", ropeForHeads.cos);
  ctx.taps?.set("lm.rope_sin", ropeForHeads.sin);
  return {
    kind: "explicit",
    ropeForHeads,
    mask: attentionMask(ctx.g, inputs.attentionMask, x, ctx.compute),
  };
}

/**
 * The decoder forward pass with KV cache and the tied head: returns the logits of the positions in
 * `logitsIndex` (`[b, k, vocab]`, compute type) and per block either the grown cache (`present`:
 * explicit ops, GroupQueryAttention) or the new tokens' keys and values alone (`added`: the fast
 * flavour's attention over the past); the other list is empty.
 */
export function languageModel(
  ctx: LayerContext,
  inputs: DecoderInputs,
  cfg: NanoVLMConfig,
  options: DecoderOptions = {},
): { logits: string; present: KeyValue[]; added: KeyValue[] } {
  const { g } = ctx;
  return g.scope("decoder", () => {
    const table = embeddingTableName(cfg);
    const looked = g.op("Gather", [ctx.weights.use(g, table), inputs.inputIds], { axis: 0 });
    let x = g.op("Concat", [
      cast(g, inputs.embeds, "float32", ctx.compute),
      cast(g, looked, ctx.weights.typeOf(table), ctx.compute),
    ], { axis: 1 });
    const shared = attentionShared(ctx, inputs, x, cfg, options.kernels ?? "onnx");
    ctx.taps?.set("lm.inputs_embeds", x);
    const present: KeyValue[] = [];
    const added: KeyValue[] = [];
    let normed = rmsNorm(ctx, x, "decoder.blocks.0.norm1", cfg.lm_rms_eps);
    for (let i = 0; i < cfg.lm_n_blocks; i++) {
      const last = i === cfg.lm_n_blocks - 1;
      const nextNorm = last ? "decoder.norm" : `decoder.blocks.${i + 1}.norm1`;
      const result = block(ctx, x, normed, i, cfg, shared, inputs.past[i], nextNorm);
      x = result.x;
      normed = result.next;
      if ("present" in result.attn) present.push(result.attn.present);
      else added.push(result.attn.added);
      ctx.taps?.set(`lm.block${i}`, x);
    }
    const hidden = normed;
    ctx.taps?.set("lm.hidden", hidden);
    const selected = g.op("Gather", [hidden, inputs.logitsIndex], { axis: 1 });
    return {
      logits: linear(ctx, selected, "decoder.head"),
      present,
      added,
    };
  });
}
