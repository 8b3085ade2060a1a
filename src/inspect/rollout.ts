/**
 * Attention rollout (Abnar & Zuidema 2020): attention flows through the residual stream, so each
 * layer's head-fused attention A becomes `(A + I) / 2`, rows renormalised, and the layers'
 * matrices multiply: `R = Â_L · … · Â_1`. The decoder rollout of a query is R's row restricted to
 * the image keys; the ViT rollout (nanoVLM's SigLIP has no CLS token) is the mean of R's rows over
 * the patches. Head fusion mean / max / min and a discard ratio (the weakest entries of each fused
 * matrix zeroed, as jacobgil/vit-explain does) are options.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import {
  type AttentionMap,
  type AttentionSource,
  type QueryChoice,
  queryPositions,
  rowToMap,
  selectLayers,
} from "./attention_map.ts";
import type { LabelledTensor } from "./tensor.ts";
import type { Trace } from "./trace.ts";

/** How heads are fused before rolling out. */
export type HeadFusion = "mean" | "max" | "min";

/** Options of the rollouts. */
export interface RolloutOptions {
  /** Default `mean`. */
  headFusion?: HeadFusion;
  /** Fraction in [0, 1) of each fused matrix's smallest entries set to 0 (default 0). */
  discardRatio?: number;
}

/** Fuses `[head, n, n]` probabilities into one `n × n` matrix and applies the discard ratio. */
export function fuseHeads(probs: LabelledTensor, options: RolloutOptions = {}): Float32Array {
  const [heads, rows, cols] = probs.shape;
  const how = options.headFusion ?? "mean";
  const out = new Float32Array(rows * cols).fill(
    how === "max" ? -Infinity : how === "min" ? Infinity : 0,
  );
  for (let h = 0; h < heads; h++) {
    const values = probs.at(h).data;
    for (let i = 0; i < out.length; i++) {
      out[i] = how === "max"
        ? Math.max(out[i], values[i])
        : how === "min"
        ? Math.min(out[i], values[i])
        : out[i] + values[i] / heads;
    }
  }
  const ratio = options.discardRatio ?? 0;
  if (!(ratio >= 0 && ratio < 1)) {
    throw new InputError(
      `discard ratio ${ratio} is not in [0, 1)`,
      "pass e.g. 0.9, or 0 to keep all",
    );
  }
  const drop = Math.floor(out.length * ratio);
  if (drop > 0) {
    const order = [...out.keys()].sort((a, b) => out[a] - out[b]);
    for (let i = 0; i < drop; i++) out[order[i]] = 0;
  }
  return out;
}

/** `(A + I) / 2` with rows renormalised to sum 1, in place. */
function withResidual(a: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = (a[i * n + j] + (i === j ? 1 : 0)) / 2;
      a[i * n + j] = v;
      sum += v;
    }
    if (sum > 0) { for (let j = 0; j < n; j++) a[i * n + j] /= sum; }
  }
  return a;
}

/**
 * The full rollout matrix `Â_L · … · Â_1` of square attention matrices given first layer first
 * (each `n × n`, row-major). Rolling out identity attention gives the identity.
 */
export function rolloutMatrix(layers: readonly Float32Array[], n: number): Float32Array {
  let r = new Float32Array(n * n);
  for (let i = 0; i < n; i++) r[i * n + i] = 1;
  for (const a of layers) {
    const hat = withResidual(Float32Array.from(a), n);
    const next = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const v = hat[i * n + k];
        if (v === 0) continue;
        for (let j = 0; j < n; j++) next[i * n + j] += v * r[k * n + j];
      }
    }
    r = next;
  }
  return r;
}

/** `v · Â_L · … · Â_1` for a row vector `v` (O(n²) per layer, no full matrix). */
export function rolloutVector(
  v: Float32Array,
  layers: readonly Float32Array[],
  n: number,
): Float32Array {
  let out = Float32Array.from(v);
  for (let l = layers.length - 1; l >= 0; l--) {
    const hat = withResidual(Float32Array.from(layers[l]), n);
    const next = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const w = out[i];
      if (w === 0) continue;
      for (let j = 0; j < n; j++) next[j] += w * hat[i * n + j];
    }
    out = next;
  }
  return out;
}

/** Options of {@link decoderRollout}. */
export interface DecoderRolloutOptions extends RolloutOptions {
  /** The query (default `last`). */
  query?: QueryChoice;
  /** Layers rolled out, in order (default: every layer the trace holds; they should start at 0). */
  layers?: readonly number[] | "all";
}

/**
 * Decoder attention rollout of a query, restricted to the image keys, as an {@link AttentionMap}
 * (raw rollout mass; `imageMass` is the rollout's share on the image).
 *
 * @example
 * ```ts
 * const map = decoderRollout(trace, { headFusion: "mean" });
 * ```
 */
export function decoderRollout(
  source: AttentionSource,
  options: DecoderRolloutOptions = {},
): AttentionMap {
  const query = queryPositions(source.layout, options.query);
  const layers = selectLayers(source, options.layers ?? "all");
  if (layers.length === 0) {
    throw new InputError(
      "rollout needs at least one decoder layer",
      "trace with decoder attention",
    );
  }
  const n = source.layout.tokens.length;
  const fused = layers.map((l) => fuseHeads(source.attention(l), options));
  const v = new Float32Array(n);
  for (const q of query) v[q] += 1 / query.length;
  const row = rolloutVector(v, fused, n);
  return rowToMap(source.layout, row, { layer: "mean", head: options.headFusion ?? "mean", query });
}

/**
 * ViT rollout of one tile without a CLS token: the mean over patches of the rollout matrix's rows,
 * `[patchesPerSide][patchesPerSide]` (sums to 1).
 *
 * @param attention per ViT layer (first first) the tile's `[head, patch, patch]` probabilities
 */
export function vitRollout(
  attention: readonly LabelledTensor[],
  patchesPerSide: number,
  options: RolloutOptions = {},
): number[][] {
  const n = patchesPerSide * patchesPerSide;
  const fused = attention.map((a) => {
    if (a.shape[1] !== n || a.shape[2] !== n) {
      throw new InputError(
        `ViT attention of shape [${a.shape}] does not match ${n} patches`,
        "pass one tile's [head, patch, patch] probabilities per layer",
      );
    }
    return fuseHeads(a, options);
  });
  const mean = new Float32Array(n).fill(1 / n);
  const scores = rolloutVector(mean, fused, n);
  return Array.from(
    { length: patchesPerSide },
    (_, r) => Array.from(scores.subarray(r * patchesPerSide, (r + 1) * patchesPerSide)),
  );
}

/**
 * The ViT rollout of one tile of a trace (which must hold `vit.attention` for every ViT layer,
 * first to last), `[patch row][patch col]`.
 *
 * @example
 * ```ts
 * const scores = traceVitRollout(trace, 0, { headFusion: "max", discardRatio: 0.9 });
 * ```
 */
export function traceVitRollout(
  trace: Trace,
  tile: number,
  options: RolloutOptions = {},
): number[][] {
  if (trace.vitLayers.length !== trace.dims.vitLayers) {
    throw new InputError(
      `ViT rollout needs every ViT layer's attention; the trace holds layers ${
        trace.vitLayers.join(", ") || "none"
      }`,
      'trace with vitLayers: "all" and the "vit.attention" stage',
    );
  }
  const side = trace.layout.geometry.patchesPerSide;
  return vitRollout(trace.vitLayers.map((l) => trace.vitAttention(l).at(tile)), side, options);
}
