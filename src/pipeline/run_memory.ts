/**
 * The memory a run needs, estimated from the config before anything is allocated, and the check
 * that refuses a run larger than the machine's memory with a named error that prints the estimate
 * (instead of "Array buffer allocation failed" half-way, or the machine swapping to a halt).
 *
 * The estimate adds up the main float32 buffers of each stage: the weights, the preprocessed
 * images, the vision encoder's activations (residual, q/k/v, MLP, attention scores per tile),
 * the decoder's prefill activations and attention scores, the KV cache (past and present) and
 * the last position's logits. Stages that do not overlap are added too, and onnxruntime's own
 * workspace is left out: it is a figure to compare with the machine's memory, not a measurement.
 * A run is refused only when the estimate is over the machine's total memory.
 *
 * @module
 */
import {
  elementCount,
  expectedTensors,
  geometryOf,
  INV_FREQ,
  type NanoVLMConfig,
} from "../checkpoint/mod.ts";
import { InputError, type NanovlmError } from "../errors.ts";
import { formatBytes } from "../files/mod.ts";
import { largestPreprocessed } from "./image/mod.ts";

/** One part of a {@link MemoryEstimate}. */
export interface MemoryPart {
  /** What the bytes hold (e.g. `"KV cache"`). */
  name: string;
  /** Bytes. */
  bytes: number;
}

/** The memory of a run, part by part. */
export interface MemoryEstimate {
  /** All parts together. */
  bytes: number;
  /** The parts, largest first. */
  parts: MemoryPart[];
}

/** The shape of a decoder run: rows and the positions each reaches (prompt plus new tokens). */
export interface DecoderShape {
  /** Rows decoded together. */
  batch: number;
  /** Positions of the longest row at the end: prompt tokens (image tokens included) + new ones. */
  positions: number;
  /** Positions the first (prefill) step runs over (default: all of them). */
  prefill?: number;
}

const F32 = 4;

function estimate(parts: MemoryPart[]): MemoryEstimate {
  const sorted = parts.filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  return { bytes: sorted.reduce((sum, p) => sum + p.bytes, 0), parts: sorted };
}

/** The decoder parts of a run: KV cache, prefill activations and attention scores, logits. */
export function decoderMemory(config: NanoVLMConfig, shape: DecoderShape): MemoryEstimate {
  const { batch, positions, prefill = positions } = shape;
  const headDim = geometryOf(config).lmHeadDim;
  const c = config;
  return estimate([
    {
      // Keys and values of every block, past and present.
      name: "KV cache",
      bytes: 2 * 2 * c.lm_n_blocks * batch * c.lm_n_kv_heads * positions * headDim * F32,
    },
    {
      name: "decoder attention scores",
      bytes: batch * c.lm_n_heads * prefill * prefill * F32,
    },
    {
      name: "decoder activations",
      bytes: batch * prefill * (4 * c.lm_hidden_dim + 2 * c.lm_inter_dim) * F32,
    },
    { name: "logits", bytes: batch * c.lm_vocab_size * F32 },
  ]);
}

/**
 * The memory of the smallest typical run of a config: the weights, one request with one image of
 * the largest size the config's preprocessing makes, its image tokens plus `textPositions` text
 * positions (default 512).
 *
 * @example
 * ```ts
 * const { bytes, parts } = estimateRunMemory(config);
 * parts[0]; // { name: "weights", bytes: 888_000_000 } for nanoVLM-222M
 * ```
 */
export function estimateRunMemory(
  config: NanoVLMConfig,
  { textPositions = 512 }: { textPositions?: number } = {},
): MemoryEstimate {
  const weights = expectedTensors(config)
    .filter((t) => t.name !== INV_FREQ)
    .reduce((sum, t) => sum + elementCount(t.shape), 0) * F32;
  const { pixels, tiles } = largestPreprocessed(config);
  const tile = config.vit_img_size;
  const geometry = geometryOf(config);
  const patches = geometry.patchesPerImage;
  const c = config;
  const decoder = decoderMemory(config, {
    batch: 1,
    positions: tiles * geometry.imageTokensPerImage + textPositions,
  });
  return estimate([
    { name: "weights", bytes: weights },
    // The resized picture in uint8 and float32, then its tiles.
    { name: "image preprocessing", bytes: pixels * 3 * (1 + F32) + tiles * 3 * tile * tile * F32 },
    {
      name: "vision activations",
      bytes: tiles * patches * (4 * c.vit_hidden_dim + 2 * c.vit_inter_dim) * F32,
    },
    { name: "vision attention scores", bytes: tiles * c.vit_n_heads * patches * patches * F32 },
    ...decoder.parts,
  ]);
}

/** The machine's memory in bytes, or undefined when the system does not say (no `--allow-sys`). */
export function systemMemory(): { total: number; available: number } | undefined {
  try {
    const { total, available } = Deno.systemMemoryInfo();
    return { total, available };
  } catch {
    return undefined;
  }
}

/** Options of {@link checkRunMemory}. */
export interface MemoryCheckOptions {
  /** What runs, for the message (e.g. `"loading /models/x"`). */
  what: string;
  /** The fix to suggest. */
  hint: string;
  /** The error class to raise. */
  errorClass: new (message: string, hint?: string) => NanovlmError;
  /** The machine's memory (default {@link systemMemory}; the check is skipped when unknown). */
  memory?: { total: number; available: number };
}

/**
 * Refuses a run whose estimate is over the machine's total memory, with an error that prints the
 * estimate (its three largest parts) and the machine's memory.
 */
export function checkRunMemory(run: MemoryEstimate, options: MemoryCheckOptions): void {
  const memory = options.memory ?? systemMemory();
  if (memory === undefined || run.bytes <= memory.total) return;
  const parts = run.parts.slice(0, 3).map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(", ");
  throw new options.errorClass(
    `${options.what} needs about ${formatBytes(run.bytes)} of memory (${parts}), more than this ` +
      `machine's ${formatBytes(memory.total)} (${formatBytes(memory.available)} available)`,
    options.hint,
  );
}

/**
 * Refuses a generation whose decoder memory (`batch` rows of `prompt` positions growing by
 * `newTokens`) is over the machine's memory, before its cache is allocated.
 */
export function checkDecoderMemory(
  config: NanoVLMConfig,
  { batch, prompt, newTokens }: { batch: number; prompt: number; newTokens: number },
  memory?: { total: number; available: number },
): void {
  const run = decoderMemory(config, { batch, positions: prompt + newTokens, prefill: prompt });
  checkRunMemory(run, {
    what: `generating ${newTokens.toLocaleString("en-US")} tokens for ${batch} row(s) of ` +
      `${prompt.toLocaleString("en-US")} prompt positions`,
    hint: "ask for fewer new tokens (--max-new-tokens) or fewer rows at once (prompts or beams)",
    errorClass: InputError,
    memory,
  });
}
