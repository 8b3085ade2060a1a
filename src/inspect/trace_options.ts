/**
 * A trace's options with their defaults filled in and checked: the stages, the layer and head
 * selections, top-k, the memory limit and the tokens to generate; and the graph outputs (taps)
 * those options fetch.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { NanoVLM } from "../pipeline/mod.ts";
import type { TraceDims } from "./trace.ts";
import { type IndexSelection, TRACE_STAGES, type TraceOptions, type TraceStage } from "./types.ts";

/** Default memory limit of a trace: 2 GiB of kept tensors. */
export const DEFAULT_TRACE_BYTES = 2 * 1024 ** 3;

/** Options with defaults filled in and selections checked. */
export interface ResolvedOptions {
  /** The stages kept. */
  stages: Set<TraceStage>;
  /** The ViT layers traced, ascending. */
  vitLayers: number[];
  /** The ViT heads kept, ascending. */
  vitHeads: number[];
  /** The decoder layers traced, ascending. */
  layers: number[];
  /** The decoder heads kept, ascending. */
  heads: number[];
  /** Top-k tokens per position. */
  topK: number;
  /** The memory limit of the kept tensors. */
  maxBytes: number;
  /** Tokens to generate before tracing (0: none). */
  maxNewTokens: number;
  /** The teacher-forced answer. */
  answer?: string;
}

/** The indices a selection picks of `count` (all by default), checked and ascending. */
function selection(
  what: string,
  value: IndexSelection | undefined,
  count: number,
): number[] {
  if (value === undefined || value === "all") return [...Array(count).keys()];
  const picked = [...new Set(value)].sort((a, b) => a - b);
  for (const i of picked) {
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new InputError(
        `${what} ${i} is out of range: the model has ${count} (0..${count - 1})`,
        `pick ${what}s 0..${count - 1}, or "all"`,
      );
    }
  }
  return picked;
}

/** Fills in the defaults of a trace's options and checks them against the model's dimensions. */
export function resolveOptions(dims: TraceDims, options: TraceOptions): ResolvedOptions {
  const stages = new Set(options.stages ?? TRACE_STAGES);
  for (const s of stages) {
    if (!TRACE_STAGES.includes(s)) {
      throw new InputError(
        `unknown trace stage ${JSON.stringify(s)}`,
        `stages are ${TRACE_STAGES.join(", ")}`,
      );
    }
  }
  if (options.answer !== undefined && options.generate) {
    throw new InputError(
      "a trace takes either an answer (teacher-forced) or generate, not both",
      "drop one of the two options",
    );
  }
  const maxNewTokens = options.generate?.maxNewTokens ?? 0;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new InputError(
      `generate.maxNewTokens must be a whole number >= 0, got ${maxNewTokens}`,
      "pass e.g. generate: { maxNewTokens: 10 }",
    );
  }
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1 || topK > dims.vocab) {
    throw new InputError(`topK must be 1..${dims.vocab}, got ${topK}`, "pass e.g. topK: 5");
  }
  const maxBytes = options.maxBytes ?? DEFAULT_TRACE_BYTES;
  if (!(maxBytes > 0)) {
    throw new InputError(`maxBytes must be positive, got ${maxBytes}`, "pass e.g. 2 ** 31");
  }
  return {
    stages,
    vitLayers: selection("ViT layer", options.vitLayers, dims.vitLayers),
    vitHeads: selection("ViT head", options.vitHeads, dims.vitHeads),
    layers: selection("decoder layer", options.layers, dims.layers),
    heads: selection("decoder head", options.heads, dims.heads),
    topK,
    maxBytes,
    maxNewTokens,
    answer: options.answer,
  };
}

/** The dimensions of a model's config. */
export function dimsOf(model: NanoVLM): TraceDims {
  const c = model.config;
  return {
    vitLayers: c.vit_n_blocks,
    vitHeads: c.vit_n_heads,
    layers: c.lm_n_blocks,
    heads: c.lm_n_heads,
    kvHeads: c.lm_n_kv_heads,
    vocab: c.lm_vocab_size,
  };
}

/** The graph outputs a trace with these options fetches, per graph. */
export function tapsFor(o: ResolvedOptions): { vision: string[]; decoder: string[] } {
  const has = (s: TraceStage) => o.stages.has(s);
  return {
    vision: [
      ...(has("patches") ? ["vit.patch_embeds"] : []),
      ...(has("vit.residual") ? [...o.vitLayers.map((i) => `vit.block${i}`), "vit.output"] : []),
      ...(has("vit.attention") ? o.vitLayers.map((i) => `vit.attn_probs.layer${i}`) : []),
    ],
    decoder: [
      ...(has("decoder.input") ? ["lm.inputs_embeds"] : []),
      ...(has("decoder.residual") ? o.layers.map((i) => `lm.block${i}`) : []),
      ...(has("decoder.attention") ? o.layers.map((i) => `lm.attn_probs.layer${i}`) : []),
    ],
  };
}

/**
 * The internal outputs (graph taps) a trace with these options needs: what
 * `model.inspectRuntime(taps)` builds its graphs with.
 */
export function traceTaps(model: NanoVLM, options: TraceOptions = {}): string[] {
  const { vision, decoder } = tapsFor(resolveOptions(dimsOf(model), options));
  return [...vision, ...decoder];
}
