/**
 * The building blocks the model files are written with: linear layers, norms, activations,
 * attention and RoPE, each as ONNX nodes on a {@link GraphBuilder}. Every helper computes in the
 * element type of its input (`float32` or `float16`); weights are cast when stored differently.
 *
 * @module
 */
import { type ElemType, float, type GraphBuilder, ONNX_DTYPE } from "../onnx/mod.ts";
import type { FusedLinear, WeightTable } from "./weights.ts";

/** The compute element type of a module. */
export type Compute = "float32" | "float16";

/** The smallest finite value of a compute type: the additive mask for hidden keys. */
export function lowest(type: Compute): number {
  return type === "float32" ? -3.4028234663852886e38 : -65504;
}

/** Internals the inspect flavour exposes, by golden name (`vit.block0`, `lm.attn_probs.layer1`). */
export type Taps = Map<string, string>;

/**
 * Everything a layer needs: the graph, the weights, and the build options that shape it (compute
 * type, op style, which internals to record). The model files never branch on a flavour by name.
 */
export interface LayerContext {
  /** The graph being built. */
  g: GraphBuilder;
  /** Where the checkpoint's tensors are, by name. */
  weights: WeightTable;
  /** The module's compute element type. */
  compute: Compute;
  /** Fused kernels (fast flavour: Attention, RotaryEmbedding, RMSNormalization, FusedMatMul)
   * rather than standard explicit ops (inspect flavour). */
  fused: boolean;
  /** Where internals are recorded (inspect flavour); none when absent. */
  taps?: Taps;
}

/** Casts `x` to the element type `to` (an ONNX Cast node). */
export function castTo(g: GraphBuilder, x: string, to: ElemType): string {
  return g.op("Cast", [x], { to: ONNX_DTYPE[to] });
}

/** Casts `x` from `from` to `to` (no node when equal). */
export function cast(g: GraphBuilder, x: string, from: Compute, to: Compute): string {
  return from === to ? x : g.op("Cast", [x], { to: ONNX_DTYPE[to] }, { name: "cast" });
}

/** `a + b`. */
export function add(g: GraphBuilder, a: string, b: string): string {
  return g.op("Add", [a, b]);
}

/** A checkpoint weight in the compute type. */
export function weight(ctx: LayerContext, name: string): string {
  return cast(ctx.g, ctx.weights.use(ctx.g, name), ctx.weights.typeOf(name), ctx.compute);
}

/**
 * `nn.Linear` `prefix`: `y = x · Wᵀ (+ b)` with the checkpoint's weight `[out, in]` used in place
 * (its bytes are never transposed); the bias is used when the checkpoint has `prefix.bias`.
 * Fused: one com.microsoft FusedMatMul (transB) node on any rank; explicit: a standard Gemm
 * (transB) on a 2-D view; a weight the table holds quantised (int8/int4): one com.microsoft
 * MatMulNBits node (either flavour).
 */
export function linear(ctx: LayerContext, x: string, prefix: string): string {
  const { g } = ctx;
  const outFeatures = ctx.weights.shapeOf(`${prefix}.weight`)[0];
  const bias = ctx.weights.has(`${prefix}.bias`);
  const quant = ctx.weights.quantOf(`${prefix}.weight`);
  if (quant) {
    return g.scope(prefix.split(".").pop()!, () => {
      const q = ctx.weights.useQuantized(g, `${prefix}.weight`);
      // Scales are float32: a float16 module (a quantised head after an fp16 decoder) casts around.
      const x32 = cast(g, x, ctx.compute, "float32");
      const inputs = [x32, q.codes, q.scales, q.zeroPoints].filter((v, i) => i < 3 || v !== "");
      const y32 = g.op("MatMulNBits", inputs, {
        K: quant.k,
        N: quant.n,
        bits: quant.bits,
        block_size: quant.blockSize,
        accuracy_level: quant.accuracyLevel,
      }, { domain: "com.microsoft" });
      const y = cast(g, y32, "float32", ctx.compute);
      return bias ? g.op("Add", [y, weight(ctx, `${prefix}.bias`)]) : y;
    });
  }
  return g.scope(prefix.split(".").pop()!, () => {
    const inputs = [x, weight(ctx, `${prefix}.weight`)];
    if (bias) inputs.push(weight(ctx, `${prefix}.bias`));
    if (ctx.fused) {
      const y = g.op("FusedMatMul", inputs.slice(0, 2), { transB: 1 }, { domain: "com.microsoft" });
      return bias ? g.op("Add", [y, inputs[2]]) : y;
    }
    // [.., in] -> [N, in] -> Gemm -> [N, out] -> [.., out]
    const leading = g.op("Slice", [g.op("Shape", [x]), g.ints([0]), g.ints([-1])]);
    const flat = g.op("Flatten", [x], { axis: -1 });
    const y = g.op("Gemm", [flat, ...inputs.slice(1)], { transB: 1 });
    return g.op("Reshape", [y, g.op("Concat", [leading, g.ints([outFeatures])], { axis: 0 })]);
  });
}

/**
 * The linear layers `fused.parts` of `prefix` (a block's `attn` or `mlp`), which read the same
 * `x`, so that a token runs fewer, wider kernels where the flavour allows. One output per part:
 * - quantised as one weight (`prefix.<fused.name>`, rows stacked in part order, as the fast
 *   flavour's quantised graphs read them): one MatMulNBits and a Split;
 * - in float, in the fast flavour, without biases: parts whose weights lie back to back in the
 *   file (safetensors orders tensors by name: gate and up, q and v) as one FusedMatMul over their
 *   stacked rows, read in place, and a Split; the others alone;
 * - else (the inspect flavour, as the original computes it): one {@link linear} each.
 */
export function linears(
  ctx: LayerContext,
  x: string,
  prefix: string,
  fused: FusedLinear,
): string[] {
  const { g } = ctx;
  const split = (y: string, rows: number[]) =>
    g.node("Split", [y, g.ints(rows)], { axis: -1 }, { outputs: rows.length });
  const rows = ctx.weights.quantOf(`${prefix}.${fused.name}.weight`)?.rows;
  if (rows) return split(linear(ctx, x, `${prefix}.${fused.name}`), rows);
  const names = fused.parts.map((part) => `${prefix}.${part}`);
  const stackable = ctx.fused &&
    names.every((name) =>
      !ctx.weights.quantOf(`${name}.weight`) && !ctx.weights.has(`${name}.bias`)
    );
  if (!stackable) return names.map((name) => linear(ctx, x, name));
  const outputs = new Map<string, string>();
  for (const run of ctx.weights.adjacentRuns(names.map((name) => `${name}.weight`))) {
    const layers = run.map((w) => w.slice(0, -".weight".length));
    if (run.length === 1) {
      outputs.set(layers[0], linear(ctx, x, layers[0]));
      continue;
    }
    const stacked = g.scope(layers.map((l) => l.split(".").pop()).join("_"), () => {
      const w = cast(g, ctx.weights.useRows(g, run), ctx.weights.typeOf(run[0]), ctx.compute);
      const y = g.op("FusedMatMul", [x, w], { transB: 1 }, { domain: "com.microsoft" });
      return split(y, run.map((name) => ctx.weights.shapeOf(name)[0]));
    });
    layers.forEach((layer, i) => outputs.set(layer, stacked[i]));
  }
  return names.map((name) => outputs.get(name)!);
}

/** `nn.LayerNorm` over the last axis. */
export function layerNorm(ctx: LayerContext, x: string, prefix: string, eps: number): string {
  return ctx.g.op(
    "LayerNormalization",
    [x, weight(ctx, `${prefix}.weight`), weight(ctx, `${prefix}.bias`)],
    { axis: -1, epsilon: float(eps) },
    { name: prefix.split(".").pop() },
  );
}

/**
 * nanoVLM's RMSNorm: `x * rsqrt(mean(x², -1) + eps) * w`. Fused: ONNX RMSNormalization-23;
 * explicit: ops in the original order (`(x * irms) * w`).
 */
export function rmsNorm(ctx: LayerContext, x: string, prefix: string, eps: number): string {
  const { g, compute } = ctx;
  const w = weight(ctx, `${prefix}.weight`);
  return g.scope(prefix.split(".").pop()!, () => {
    if (ctx.fused) {
      return g.op("RMSNormalization", [x, w], { axis: -1, epsilon: float(eps), stash_type: 1 });
    }
    const meanSquare = g.op("ReduceMean", [g.op("Mul", [x, x]), g.ints([-1])], { keepdims: 1 });
    const irms = g.op("Reciprocal", [
      g.op("Sqrt", [g.op("Add", [meanSquare, g.scalar(eps, compute)])]),
    ]);
    return g.op("Mul", [g.op("Mul", [x, irms]), w]);
  });
}

/**
 * `sum = x + residual` and nanoVLM's RMSNorm of it (weights `prefix`): the pair every decoder
 * block boundary computes. Fused: one com.microsoft SkipSimplifiedLayerNormalization (one kernel
 * instead of two per boundary); explicit: an Add and {@link rmsNorm}. Returns `[normed, sum]`.
 */
export function addRmsNorm(
  ctx: LayerContext,
  x: string,
  residual: string,
  prefix: string,
  eps: number,
): [string, string] {
  const { g } = ctx;
  if (!ctx.fused) {
    const sum = add(g, residual, x);
    return [rmsNorm(ctx, sum, prefix, eps), sum];
  }
  const w = weight(ctx, `${prefix}.weight`);
  return g.scope(prefix.split(".").pop()!, () => {
    const base = g.uniqueName("skip_norm");
    // Outputs 1 and 2 (mean, inverse std) are optional and left out.
    const [normed, , , sum] = g.node("SkipSimplifiedLayerNormalization", [x, residual, w], {
      epsilon: float(eps),
    }, { domain: "com.microsoft", outputs: [base, "", "", `${base}:sum`] });
    return [normed, sum];
  });
}

/** The tanh-approximated GELU of the SigLIP MLP. */
export function geluTanh(g: GraphBuilder, x: string): string {
  return g.op("Gelu", [x], { approximate: "tanh" });
}

/** `silu(z) = z · sigmoid(z)`. */
export function silu(g: GraphBuilder, x: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x])]);
}

/** Reshapes `[b, t, heads*d]` to `[b, heads, t, d]`. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, headDim: number): string {
  return g.op("Transpose", [g.op("Reshape", [x, g.ints([0, 0, heads, headDim])])], {
    perm: [0, 2, 1, 3],
  });
}

/** Reshapes `[b, heads, t, d]` back to `[b, t, heads*d]`. */
export function mergeHeads(g: GraphBuilder, x: string, heads: number, headDim: number): string {
  const t = g.op("Transpose", [x], { perm: [0, 2, 1, 3] });
  return g.op("Reshape", [t, g.ints([0, 0, heads * headDim])]);
}

/**
 * Attention over `[b, t, heads*d]` queries, keys and values, all heads attending to all positions
 * (fast flavour, no taps): Attention-23 splits and merges the heads itself, so no Reshape and
 * Transpose pairs surround it. Returns `[b, t, heads*d]`.
 */
export function packedHeadsAttention(
  ctx: LayerContext,
  q: string,
  k: string,
  v: string,
  heads: number,
  headDim: number,
): string {
  return ctx.g.node("Attention", [q, k, v], {
    scale: float(1 / Math.sqrt(headDim)),
    q_num_heads: heads,
    kv_num_heads: heads,
  }, { outputs: 1 })[0];
}

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Query heads. */
  heads: number;
  /** Key/value heads (GQA: query head h uses kv head ⌊h / (heads / kvHeads)⌋). */
  kvHeads: number;
  /** Head dimension. */
  headDim: number;
  /** Additive mask broadcastable to `[b, heads, t, s]`, or none. */
  mask?: string;
  /** The tap the softmax probabilities `[b, heads, t, s]` are recorded under (when recording). */
  probsTap: string;
}

/**
 * `F.scaled_dot_product_attention` on `q [b, heads, t, d]`, `k, v [b, kvHeads, s, d]`: returns
 * `[b, heads, t, d]`. Fused: ONNX Attention-23; explicit: MatMul, Softmax, MatMul. When the
 * context records taps, the probabilities are recorded too.
 */
export function scaledDotProductAttention(
  ctx: LayerContext,
  q: string,
  k: string,
  v: string,
  options: AttentionOptions,
): string {
  const { g, compute } = ctx;
  const { heads, kvHeads, headDim } = options;
  const withProbs = ctx.taps !== undefined;
  if (ctx.fused) {
    const inputs = [q, k, v, options.mask ?? ""];
    const outputs = g.node("Attention", inputs, {
      scale: float(1 / Math.sqrt(headDim)),
      ...(withProbs ? { qk_matmul_output_mode: 3 } : {}),
    }, { outputs: withProbs ? 4 : 1 });
    if (withProbs) ctx.taps!.set(options.probsTap, outputs[3]);
    return outputs[0];
  }
  const group = heads / kvHeads;
  // [b, heads, t, d] -> [b, kv, group*t, d]: heads are kv-major, so no K/V repeat is needed.
  const qGrouped = group === 1 ? q : g.op("Reshape", [q, g.ints([0, kvHeads, -1, headDim])]);
  const kT = g.op("Transpose", [k], { perm: [0, 1, 3, 2] });
  let scores = g.op("Div", [g.op("MatMul", [qGrouped, kT]), g.scalar(Math.sqrt(headDim), compute)]);
  if (group !== 1) scores = g.op("Reshape", [scores, g.ints([0, heads, -1, 0])]);
  if (options.mask) scores = g.op("Add", [scores, options.mask]);
  const probs = g.op("Softmax", [scores], { axis: -1 });
  const probsGrouped = group === 1 ? probs : g.op("Reshape", [probs, g.ints([0, kvHeads, -1, 0])]);
  let out = g.op("MatMul", [probsGrouped, v]);
  if (group !== 1) out = g.op("Reshape", [out, g.ints([0, heads, -1, headDim])]);
  ctx.taps?.set(options.probsTap, probs);
  return out;
}
