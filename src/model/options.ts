/**
 * Options that shape the graphs built from one model definition: flavour, precision per module,
 * and which internals become graph outputs.
 *
 * @module
 */

/** `fast`: fused ONNX ops (Attention, RotaryEmbedding, RMSNormalization); `inspect`: explicit ops and internal outputs. */
export type Flavour = "fast" | "inspect";

/** Numeric precision of a module's computation. Graph inputs and outputs stay float32. */
export type Precision = "fp32" | "fp16";

/** Precision per module. */
export interface ModulePrecision {
  /** Precision of the vision encoder. */
  vision: Precision;
  /** Precision of the modality projector. */
  projector: Precision;
  /** Precision of the decoder graph (blocks and LM head). */
  decoder: Precision;
}

/**
 * The fused kernels of the fast flavour's decoder: ONNX standard ops (Attention-23,
 * RotaryEmbedding-23, RMSNormalization-23; any batch) or com.microsoft GroupQueryAttention
 * (RoPE and cache inside one node; unpadded batches only).
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
}

/** Fills in defaults; `precision` may be one value for every module. */
export function buildOptions(
  options: {
    flavour?: Flavour;
    kernels?: Kernels;
    precision?: Precision | Partial<ModulePrecision>;
  } = {},
): BuildOptions {
  const p = options.precision ?? "fp32";
  const precision = typeof p === "string" ? { vision: p, projector: p, decoder: p } : {
    vision: p.vision ?? "fp32",
    projector: p.projector ?? "fp32",
    decoder: p.decoder ?? "fp32",
  };
  return { flavour: options.flavour ?? "fast", kernels: options.kernels ?? "onnx", precision };
}

/** The compute element type of a precision. */
export function computeType(p: Precision): "float32" | "float16" {
  return p === "fp16" ? "float16" : "float32";
}
