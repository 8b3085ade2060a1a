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
  vision: Precision;
  projector: Precision;
  decoder: Precision;
}

/** Options for building the graphs of a checkpoint. */
export interface BuildOptions {
  /** Default `fast`. */
  flavour: Flavour;
  /** Default fp32 everywhere. */
  precision: ModulePrecision;
}

/** Fills in defaults; `precision` may be one value for every module. */
export function buildOptions(
  options: { flavour?: Flavour; precision?: Precision | Partial<ModulePrecision> } = {},
): BuildOptions {
  const p = options.precision ?? "fp32";
  const precision = typeof p === "string" ? { vision: p, projector: p, decoder: p } : {
    vision: p.vision ?? "fp32",
    projector: p.projector ?? "fp32",
    decoder: p.decoder ?? "fp32",
  };
  return { flavour: options.flavour ?? "fast", precision };
}

/** The compute element type of a precision. */
export function computeType(p: Precision): "float32" | "float16" {
  return p === "fp16" ? "float16" : "float32";
}
