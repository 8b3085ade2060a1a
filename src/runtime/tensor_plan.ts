/**
 * Which checkpoint tensors each graph reads and in which form for a set of build options: float
 * tensors by element type, linear weights multiplied in MatMulNBits form by code width, and the
 * quantised weights the fast flavour stores fused.
 *
 * @module
 */
import type { NanoVLMConfig, SafetensorsIndex, TensorEntry } from "../checkpoint/mod.ts";
import {
  type BuildOptions,
  computeType,
  embeddingTableName,
  GATE_UP_PROJ,
  type GraphName,
  type Precision,
  QKV_PROJ,
  type QuantBits,
  quantBits,
  type WeightType,
} from "../model/mod.ts";

/**
 * The name the model code uses for a stored tensor: a file that holds the tied embedding under
 * `decoder.token_embedding.weight` (instead of `decoder.head.weight`) serves it under the head's name.
 */
export function modelTensorName(stored: string, index: SafetensorsIndex): string {
  return stored === "decoder.token_embedding.weight" && !index.tensors.has("decoder.head.weight")
    ? "decoder.head.weight"
    : stored;
}

/** The checkpoint tensors a graph reads (by model name): float ones by type, quantised ones by bits. */
export interface TensorPlan {
  /** Float tensors and the element type each must have. */
  plain: Map<string, WeightType>;
  /** Linear weights multiplied in MatMulNBits form, and their code width. */
  quantized: Map<string, QuantBits>;
  /**
   * Quantised linear weights stored as one (the fast flavour's q/k/v and gate/up of each decoder
   * block, see {@link QKV_PROJ}): the fused weight's name and its parts (all in `quantized`), in
   * row order.
   */
  fused: Map<string, string[]>;
}

/** Whether a stored tensor is a linear layer's `[out, in]` weight (what MatMulNBits replaces). */
function isLinearWeight(n: string, tensor: TensorEntry): boolean {
  return n.endsWith(".weight") && tensor.shape.length === 2 &&
    !n.includes("embedding") && !n.endsWith("norm.weight");
}

/** Which tensors a graph reads, in which form, for the build options. */
export function tensorPlan(
  name: GraphName,
  index: SafetensorsIndex,
  config: NanoVLMConfig,
  options: BuildOptions,
): TensorPlan {
  const plain = new Map<string, WeightType>();
  const quantized = new Map<string, QuantBits>();
  const { vision, projector, decoder, head } = options.precision;
  const table = embeddingTableName(config);
  // The token lookup's table: the head's float type when the head is float. A quantised head
  // keeps the table (the same tensor when tied) in float16: a Gather cannot read MatMulNBits
  // codes, and float32 would store the largest tensor twice at full size (embed + decoder).
  const tableType = quantBits(head) ? "float16" : computeType(head);
  const place = (n: string, tensor: TensorEntry, p: Precision) => {
    const bits = quantBits(p);
    if (bits && isLinearWeight(n, tensor)) quantized.set(n, bits);
    else plain.set(n, computeType(p));
  };
  for (const tensor of index.tensors.values()) {
    const n = modelTensorName(tensor.name, index);
    if (n === "decoder.rotary_embd.inv_freq") {
      if (name === "decoder") plain.set(n, "float32");
      continue;
    }
    if (name === "vision" && n.startsWith("vision_encoder.")) place(n, tensor, vision);
    if (name === "vision" && n.startsWith("MP.")) place(n, tensor, projector);
    if (name === "embed" && n === table) plain.set(n, tableType);
    if (name !== "decoder" || !n.startsWith("decoder.")) continue;
    if (n === "decoder.head.weight") {
      place(n, tensor, head);
      if (n === table) plain.set(n, tableType);
    } else if (n === table) plain.set(n, tableType);
    else place(n, tensor, decoder);
  }
  const fused = new Map<string, string[]>();
  if (name === "decoder" && options.flavour === "fast") {
    for (let i = 0; i < config.lm_n_blocks; i++) {
      for (const f of [QKV_PROJ, GATE_UP_PROJ]) {
        const prefix = `decoder.blocks.${i}.${f.scope}`;
        const parts = f.parts.map((part) => `${prefix}.${part}.weight`);
        const bits = new Set(parts.map((part) => quantized.get(part)));
        const biased = f.parts.some((part) => index.tensors.has(`${prefix}.${part}.bias`));
        if (bits.size === 1 && !bits.has(undefined) && !biased) {
          fused.set(`${prefix}.${f.name}.weight`, parts);
        }
      }
    }
  }
  return { plain, quantized, fused };
}
