/**
 * Options that shape the graphs built from one model definition: flavour, precision per module,
 * and which internals become graph outputs.
 *
 * @module
 */
import { InputError } from "../errors.ts";

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
  } = {},
): BuildOptions {
  const p = options.precision ?? "fp32";
  const precisions = ["fp32", "fp16"] as const;
  const module = (name: string, value: Precision | undefined) =>
    oneOf(`${name} precision`, value, precisions, "fp32");
  const precision = typeof p === "string"
    ? {
      vision: module("vision", p),
      projector: module("projector", p),
      decoder: module("decoder", p),
    }
    : {
      vision: module("vision", p.vision),
      projector: module("projector", p.projector),
      decoder: module("decoder", p.decoder),
    };
  return {
    flavour: oneOf("flavour", options.flavour, ["fast", "inspect"], "fast"),
    kernels: oneOf("kernels", options.kernels, ["onnx", "microsoft"], "onnx"),
    precision,
  };
}

/** The compute element type of a precision. */
export function computeType(p: Precision): "float32" | "float16" {
  return p === "fp16" ? "float16" : "float32";
}
