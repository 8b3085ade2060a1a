/**
 * Options that shape the graphs built from one model definition: flavour, precision per module,
 * and which internals become graph outputs.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { DEFAULT_QUANT, QUANT_BLOCK_SIZES, type QuantBits, type QuantOptions } from "./quantize.ts";

/** `fast`: fused ONNX ops (Attention, RotaryEmbedding, RMSNormalization); `inspect`: explicit ops and internal outputs. */
export type Flavour = "fast" | "inspect";

/**
 * Numeric precision of a module. `fp32`/`fp16`: the compute and weight type; `int8`/`int4`:
 * weight-only quantisation of the module's linear layers (com.microsoft MatMulNBits), computing in
 * float32 (norms, embeddings and biases stay float32). Graph inputs and outputs stay float32.
 */
export type Precision = "fp32" | "fp16" | "int8" | "int4";

/** Precision per module. */
export interface ModulePrecision {
  /** Precision of the vision encoder. */
  vision: Precision;
  /** Precision of the modality projector. */
  projector: Precision;
  /** Precision of the decoder's blocks and final norm. */
  decoder: Precision;
  /**
   * Precision of the LM head on its own (the tied embedding table read once per token). fp32/fp16:
   * the head table's stored type; int8/int4: the head's matmul is quantised while the token lookup
   * keeps the table in float16 (a Gather cannot read the packed codes; float16 halves the table
   * that both the embed and the decoder graph hold). Defaults to the decoder's precision.
   */
  head: Precision;
}

/**
 * The fused kernels of the fast flavour's decoder: ONNX standard ops (RotaryEmbedding-23,
 * RMSNormalization-23 and attention over the cache as fed in, see `past_attention.ts`; any batch)
 * or com.microsoft GroupQueryAttention (RoPE and cache inside one node; unpadded batches only).
 */
export type Kernels = "onnx" | "microsoft";

/** Options for building the graphs of a checkpoint. */
export interface BuildOptions {
  /** Default `fast`. */
  flavour: Flavour;
  /** Default `onnx`; only used by the fast flavour. */
  kernels: Kernels;
  /** Default fp32 everywhere. */
  precision: ModulePrecision;
  /** How int8/int4 modules are quantised (default block 32, symmetric, accuracy level 4). */
  quantization: QuantOptions;
}

function oneOf<T extends string>(
  what: string,
  value: T | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new InputError(
      `${what} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`,
      `use e.g. ${allowed[0]}`,
    );
  }
  return value;
}

/** Fills in defaults and checks values (an unknown one is an {@link InputError}); `precision` may be one value for every module. */
export function buildOptions(
  options: {
    flavour?: Flavour;
    kernels?: Kernels;
    precision?: Precision | Partial<ModulePrecision>;
    quantization?: Partial<QuantOptions>;
  } = {},
): BuildOptions {
  const p = options.precision ?? "fp32";
  const precisions = ["fp32", "fp16", "int8", "int4"] as const;
  const module = (name: string, value: Precision | undefined, fallback: Precision = "fp32") =>
    oneOf(`${name} precision`, value, precisions, fallback);
  const mix = typeof p === "string" ? { vision: p, projector: p, decoder: p, head: p } : p;
  const vision = module("vision", mix.vision);
  const projector = module("projector", mix.projector);
  const decoder = module("decoder", mix.decoder);
  const precision = { vision, projector, decoder, head: module("head", mix.head, decoder) };
  const q = { ...DEFAULT_QUANT, ...options.quantization };
  if (!QUANT_BLOCK_SIZES.includes(q.blockSize)) {
    throw new InputError(
      `quantisation block size must be one of ${QUANT_BLOCK_SIZES.join(", ")}; got ${q.blockSize}`,
      "use e.g. 32",
    );
  }
  if (q.accuracyLevel !== 0 && q.accuracyLevel !== 4) {
    throw new InputError(
      `quantisation accuracy level must be 0 or 4; got ${q.accuracyLevel}`,
      "use 0 (float32 compute) or 4 (int8 activations)",
    );
  }
  return {
    flavour: oneOf("flavour", options.flavour, ["fast", "inspect"], "fast"),
    kernels: oneOf("kernels", options.kernels, ["onnx", "microsoft"], "onnx"),
    precision,
    quantization: {
      blockSize: q.blockSize,
      symmetric: q.symmetric,
      accuracyLevel: q.accuracyLevel,
    },
  };
}

/** The compute element type of a precision (quantised modules compute in float32). */
export function computeType(p: Precision): "float32" | "float16" {
  return p === "fp16" ? "float16" : "float32";
}

/** The code width of a quantised precision; none for fp32/fp16. */
export function quantBits(p: Precision): QuantBits | undefined {
  return p === "int8" ? 8 : p === "int4" ? 4 : undefined;
}
