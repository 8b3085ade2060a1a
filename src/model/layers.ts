/**
 * The building blocks the model files are written with: linear layers, norms, activations,
 * attention and RoPE, each as ONNX nodes on a {@link GraphBuilder}. Every helper computes in the
 * element type of its input (`float32` or `float16`); weights are cast when stored differently.
 *
 * @module
 */
import { float, type GraphBuilder } from "../onnx/mod.ts";
import type { WeightTable } from "./weights.ts";

/** The compute element type of a module. */
export type Compute = "float32" | "float16";

/** The smallest finite value of a compute type: the additive mask for hidden keys. */
export function lowest(type: Compute): number {
  return type === "float32" ? -3.4028234663852886e38 : -65504;
}

/** Everything a layer needs: the graph, the weights, the compute type, and the op style. */
export interface LayerContext {
  g: GraphBuilder;
  weights: WeightTable;
  compute: Compute;
  /** Use onnxruntime's fused kernels (fast flavour) rather than standard explicit ops. */
  fused?: boolean;
}

/** ONNX `to` codes for Cast. */
const CAST_TO = { float32: 1, float16: 10 } as const;

/** Casts `x` from `from` to `to` (no node when equal). */
export function cast(g: GraphBuilder, x: string, from: Compute, to: Compute): string {
  return from === to ? x : g.op("Cast", [x], { to: CAST_TO[to] }, { name: "cast" });
}

/** A checkpoint weight in the compute type. */
export function weight(ctx: LayerContext, name: string): string {
  return cast(ctx.g, ctx.weights.use(ctx.g, name), ctx.weights.typeOf(name), ctx.compute);
}

/**
 * `y = x · Wᵀ (+ b)` for a torch `nn.Linear` weight `[out, in]`, used in place (the checkpoint
 * bytes are never transposed). Fused: one com.microsoft FusedMatMul (transB) node on any rank;
 * explicit: a standard Gemm (transB) on a 2-D view.
 */
export function linear(
  ctx: LayerContext,
  x: string,
  prefix: string,
  bias: boolean,
  outFeatures: number,
): string {
  const { g } = ctx;
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
 * nanoVLM's RMSNorm: `x * rsqrt(mean(x², -1) + eps) * w`. `fused` uses ONNX RMSNormalization-23;
 * otherwise explicit ops in the original order (`(x * irms) * w`).
 */
export function rmsNorm(
  ctx: LayerContext,
  x: string,
  prefix: string,
  eps: number,
  fused: boolean,
): string {
  const { g, compute } = ctx;
  const w = weight(ctx, `${prefix}.weight`);
  return g.scope(prefix.split(".").pop()!, () => {
    if (fused) {
      return g.op("RMSNormalization", [x, w], { axis: -1, epsilon: float(eps), stash_type: 1 });
    }
    const meanSquare = g.op("ReduceMean", [g.op("Mul", [x, x]), g.ints([-1])], { keepdims: 1 });
    const irms = g.op("Reciprocal", [
      g.op("Sqrt", [g.op("Add", [meanSquare, g.scalar(eps, compute)])]),
    ]);
    return g.op("Mul", [g.op("Mul", [x, irms]), w]);
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

/** Options of {@link attention}. */
export interface AttentionOptions {
  /** Query heads. */
  heads: number;
  /** Key/value heads (GQA: query head h uses kv head ⌊h / (heads / kvHeads)⌋). */
  kvHeads: number;
  /** Head dimension. */
  headDim: number;
  /** Additive mask broadcastable to `[b, heads, t, s]`, or none. */
  mask?: string;
  /** Fused ONNX Attention-23 instead of explicit ops. */
  fused: boolean;
  /** Also return the softmax probabilities `[b, heads, t, s]`. */
  probs: boolean;
}

/**
 * Scaled dot-product attention on `q [b, heads, t, d]`, `k, v [b, kvHeads, s, d]`; returns the
 * output `[b, heads, t, d]` and, when asked, the probabilities.
 */
export function attention(
  ctx: LayerContext,
  q: string,
  k: string,
  v: string,
  options: AttentionOptions,
): { out: string; probs?: string } {
  const { g, compute } = ctx;
  const { heads, kvHeads, headDim } = options;
  if (options.fused) {
    const inputs = [q, k, v, options.mask ?? ""];
    const outputs = g.node("Attention", inputs, {
      scale: float(1 / Math.sqrt(headDim)),
      ...(options.probs ? { qk_matmul_output_mode: 3 } : {}),
    }, { outputs: options.probs ? 4 : 1 });
    return { out: outputs[0], probs: options.probs ? outputs[3] : undefined };
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
  return { out, probs: options.probs ? probs : undefined };
}
