/**
 * The logit lens: each decoder layer's residual stream through the final RMSNorm and the LM head
 * (tied to the token embedding in nanoVLM) gives that layer's next-token guess — top-k tokens and
 * probabilities per position. At the last layer it is the model's own logits.
 *
 * @module
 */
import { readTensorF32 } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import type { NanoVLM } from "../pipeline/mod.ts";
import { type TopToken, topTokens, type Trace } from "./trace.ts";

/** The final norm and the head, as float32. */
export interface LensWeights {
  /** `decoder.norm.weight`, `[dim]`. */
  norm: Float32Array;
  /** The head `[vocab, dim]` (the tied token embedding when the checkpoint ties them). */
  head: Float32Array;
  /** RMSNorm epsilon. */
  eps: number;
  /** Model width. */
  dim: number;
  /** Vocabulary size. */
  vocab: number;
}

const cache = new WeakMap<NanoVLM, Promise<LensWeights>>();

/** Reads (once per model) the final norm and head weights the lens applies. */
export function lensWeights(model: NanoVLM): Promise<LensWeights> {
  let weights = cache.get(model);
  if (!weights) {
    weights = (async () => {
      const { index, config } = model.checkpoint;
      const headName = index.tensors.has("decoder.head.weight")
        ? "decoder.head.weight"
        : "decoder.token_embedding.weight";
      return {
        norm: await readTensorF32(index, "decoder.norm.weight"),
        head: await readTensorF32(index, headName),
        eps: config.lm_rms_eps,
        dim: config.lm_hidden_dim,
        vocab: config.lm_vocab_size,
      };
    })();
    cache.set(model, weights);
  }
  return weights;
}

/** `head(rmsNorm(x))` for one residual vector `x` `[dim]`: the lens logits `[vocab]`. */
export function lensLogits(x: ArrayLike<number>, weights: LensWeights): Float32Array {
  const { dim, vocab, norm, head, eps } = weights;
  let square = 0;
  for (let i = 0; i < dim; i++) square += x[i] * x[i];
  const scale = 1 / Math.sqrt(square / dim + eps);
  const normed = new Float32Array(dim);
  for (let i = 0; i < dim; i++) normed[i] = x[i] * scale * norm[i];
  const out = new Float32Array(vocab);
  for (let v = 0; v < vocab; v++) {
    let sum = 0;
    const row = v * dim;
    for (let i = 0; i < dim; i++) sum += head[row + i] * normed[i];
    out[v] = sum;
  }
  return out;
}

/** Options of {@link logitLens}. */
export interface LensOptions {
  /**
   * Positions: `query` (default: the last prompt position and every answer/generated one), `all`,
   * or a list of decoder positions.
   */
  positions?: "query" | "all" | readonly number[];
  /** Decoder layers (default: every layer whose residual the trace holds). */
  layers?: readonly number[];
  /** Top tokens per cell (default 5). */
  topK?: number;
}

/** One cell of the lens: a layer's guess at a position. */
export interface LensCell {
  /** Decoder layer. */
  layer: number;
  /** Decoder position. */
  position: number;
  /** Top-k tokens with probabilities. */
  top: TopToken[];
}

/** A logit-lens table: `cells[l][p]` is layer `layers[l]` at position `positions[p]`. */
export interface LogitLens {
  /** Layers (rows). */
  layers: number[];
  /** Positions (columns). */
  positions: number[];
  /** The cells, layer-major. */
  cells: LensCell[][];
}

/**
 * The logit lens of a trace (which must hold `decoder.residual`).
 *
 * @example
 * ```ts
 * const lens = logitLens(trace, await lensWeights(model), { topK: 3 });
 * lens.cells.at(-1)![0].top[0].text; // the last layer's guess: the model's own prediction
 * ```
 */
export function logitLens(
  trace: Trace,
  weights: LensWeights,
  options: LensOptions = {},
): LogitLens {
  const layout = trace.layout;
  const n = layout.tokens.length;
  const positions = options.positions === "all"
    ? [...Array(n).keys()]
    : options.positions === undefined || options.positions === "query"
    ? Array.from({ length: n - layout.promptLength + 1 }, (_, i) => layout.promptLength - 1 + i)
    : [...options.positions];
  for (const p of positions) {
    if (!Number.isInteger(p) || p < 0 || p >= n) {
      throw new InputError(
        `lens position ${p} is out of range (0..${n - 1})`,
        `pick decoder positions 0..${n - 1}`,
      );
    }
  }
  const layers = options.layers ? [...options.layers] : [...trace.attentionLayers];
  const topK = options.topK ?? 5;
  const piece = (id: number) => trace.pieceOf(id);
  const cells = layers.map((layer) => {
    const residual = trace.residual(layer);
    return positions.map((position) => ({
      layer,
      position,
      top: topTokens(lensLogits(residual.at(position).data, weights), topK, piece),
    }));
  });
  return { layers, positions, cells };
}
