/**
 * The float64 ops of the reference model (`reference_model.ts`), each written from the spec
 * (nanovlm.md §3-§5) with plain loops. Activations are row-major `[rows, width]` Float64Arrays;
 * weights are the checkpoint's float32 arrays in their PyTorch layout.
 *
 * @module
 */

/** `y = x Wᵀ (+ b)` with `W` `[out, in]` as nn.Linear stores it. */
export function linear(
  x: Float64Array,
  rows: number,
  w: Float32Array,
  out: number,
  b?: Float32Array,
): Float64Array {
  const inDim = w.length / out;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let sum = b ? b[o] : 0;
      for (let i = 0; i < inDim; i++) sum += x[r * inDim + i] * w[o * inDim + i];
      y[r * out + o] = sum;
    }
  }
  return y;
}

/** LayerNorm with biased variance, eps inside the sqrt, affine. */
export function layerNorm(
  x: Float64Array,
  dim: number,
  w: Float32Array,
  b: Float32Array,
  eps: number,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const mean = row.reduce((s, v) => s + v, 0) / dim;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / dim;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < dim; i++) y[r * dim + i] = (row[i] - mean) * inv * w[i] + b[i];
  }
  return y;
}

/** RMSNorm: `(x * rsqrt(mean(x²) + eps)) * w`. */
export function rmsNorm(x: Float64Array, dim: number, w: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const irms = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / dim + eps);
    for (let i = 0; i < dim; i++) y[r * dim + i] = (row[i] * irms) * w[i];
  }
  return y;
}

/** GELU, tanh approximation (`nn.GELU(approximate='tanh')`). */
export const geluTanh = (x: number): number =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
/** SiLU: `x·sigmoid(x)`. */
export const silu = (x: number): number => x / (1 + Math.exp(-x));

/** `x += y` elementwise. */
export function addInPlace(x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] += y[i];
}

/** Columns `[start, start + count)` of `[rows, width]`. */
export function columns(
  x: Float64Array,
  width: number,
  start: number,
  count: number,
): Float64Array {
  const rows = x.length / width;
  const y = new Float64Array(rows * count);
  for (let r = 0; r < rows; r++) {
    y.set(x.subarray(r * width + start, r * width + start + count), r * count);
  }
  return y;
}

/**
 * Softmax attention of `q` `[T, heads·hd]` over `k`, `v` `[T, kvHeads·hd]`; query head `h` uses kv
 * head `⌊h / (heads/kvHeads)⌋` (repeat_interleave). `bias(i, j)` is added to score (query i, key
 * j); `-Infinity` leaves the key out.
 */
export function attention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  tokens: number,
  heads: number,
  kvHeads: number,
  bias: (i: number, j: number) => number,
): Float64Array {
  const hd = q.length / tokens / heads;
  const group = heads / kvHeads;
  const out = new Float64Array(q.length);
  const scores = new Float64Array(tokens);
  for (let h = 0; h < heads; h++) {
    const kv = Math.floor(h / group);
    for (let i = 0; i < tokens; i++) {
      let max = -Infinity;
      for (let j = 0; j < tokens; j++) {
        let dot = 0;
        for (let d = 0; d < hd; d++) {
          dot += q[(i * heads + h) * hd + d] * k[(j * kvHeads + kv) * hd + d];
        }
        scores[j] = dot / Math.sqrt(hd) + bias(i, j);
        max = Math.max(max, scores[j]);
      }
      let total = 0;
      for (let j = 0; j < tokens; j++) total += scores[j] = Math.exp(scores[j] - max);
      for (let j = 0; j < tokens; j++) {
        const p = scores[j] / total;
        for (let d = 0; d < hd; d++) {
          out[(i * heads + h) * hd + d] += p * v[(j * kvHeads + kv) * hd + d];
        }
      }
    }
  }
  return out;
}

/** Pixel shuffle (§4): `out[a·wo+b, (i·f+j)·D+d] = in[(a·f+i)·W + b·f+j, d]`. */
export function pixelShuffle(x: Float64Array, D: number, f: number): Float64Array {
  const H = Math.sqrt(x.length / D);
  const ho = H / f;
  const out = new Float64Array(x.length);
  for (let a = 0; a < ho; a++) {
    for (let b = 0; b < ho; b++) {
      for (let i = 0; i < f; i++) {
        for (let j = 0; j < f; j++) {
          for (let d = 0; d < D; d++) {
            out[(a * ho + b) * f * f * D + (i * f + j) * D + d] =
              x[((a * f + i) * H + (b * f + j)) * D + d];
          }
        }
      }
    }
  }
  return out;
}

/**
 * nanoVLM's dynamic RoPE scaling for one call whose positions end at `maxSeq` (= max position + 1):
 * past `maxPositions` (`lm_max_position_embeddings`) the frequencies are `inv_freq / (maxSeq /
 * maxPositions)`, both the quotient and the division in float32 as torch computes them (a float64
 * division rounded to float32 is the correctly rounded float32 division); else `inv_freq` itself.
 */
export function dynamicInvFreq(
  invFreq: Float32Array,
  maxSeq: number,
  maxPositions: number,
): Float32Array {
  if (maxSeq <= maxPositions) return invFreq;
  const scale = Math.fround(maxSeq / maxPositions);
  return invFreq.map((f) => Math.fround(f / scale));
}

/**
 * Half-split ("rotate_half") RoPE in place on `[T, heads·hd]` at positions `0..T-1`:
 * `x' = x·cos + rotate_half(x)·sin`, angle `float32(t · inv_freq[i])` (torch multiplies in float32),
 * cos/sin in float64 times `scale` (`lm_attn_scaling`). `invFreq` may depend on the position (the
 * frequencies of the call that position was computed in, see {@link dynamicInvFreq}).
 */
export function rope(
  x: Float64Array,
  tokens: number,
  heads: number,
  invFreq: Float32Array | ((position: number) => Float32Array),
  scale: number,
): void {
  const at = typeof invFreq === "function" ? invFreq : () => invFreq;
  for (let t = 0; t < tokens; t++) {
    const frequencies = at(t);
    const half = frequencies.length;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(t * frequencies[i]); // float32 product, as torch
      const [cos, sin] = [Math.cos(angle) * scale, Math.sin(angle) * scale];
      for (let h = 0; h < heads; h++) {
        const base = (t * heads + h) * 2 * half;
        const [a, b] = [x[base + i], x[base + half + i]];
        x[base + i] = a * cos - b * sin;
        x[base + half + i] = b * cos + a * sin;
      }
    }
  }
}

/** Concatenates arrays. */
export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
