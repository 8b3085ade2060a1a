/**
 * Weight-only block quantisation in the layout of onnxruntime's `com.microsoft` MatMulNBits: a
 * linear weight `[N, K]` (torch `[out, in]`, used in place) becomes per row `ceil(K / block)` blocks
 * of `bits`-bit codes, one float scale per block and, when asymmetric, one packed zero point per
 * block. A weight is recovered as `(code - zero) * scale`; symmetric blocks have the implicit zero
 * `2^(bits-1)`.
 *
 * Layout (MatMulNBits): `B` uint8 `[N, blocks, block * bits / 8]` (4-bit: element 2i in the low
 * nibble, 2i+1 in the high one; K is padded with zero-valued codes to whole blocks), `scales`
 * float `[N * blocks]`, `zero_points` uint8 `[N * ceil(blocks * bits / 8)]` (4-bit: two per byte,
 * low nibble first; each row starts on a byte).
 *
 * @module
 */

/** The integer widths MatMulNBits runs on onnxruntime's CPU provider (both measured). */
export type QuantBits = 4 | 8;

/** How a module's linear weights are quantised. */
export interface QuantOptions {
  /** Weights per block along K: 32, 64 or 128 (default 32). */
  blockSize: number;
  /** Symmetric blocks (implicit zero point, default) or asymmetric (a zero point per block). */
  symmetric: boolean;
  /**
   * MatMulNBits `accuracy_level`: 0 computes in float32 (equal to dequantise-then-matmul),
   * 4 quantises the activations to int8 per block (faster; default).
   */
  accuracyLevel: 0 | 4;
}

/** The default quantisation: block 32, symmetric, int8 activations. */
export const DEFAULT_QUANT: QuantOptions = { blockSize: 32, symmetric: true, accuracyLevel: 4 };

/** The block sizes accepted. */
export const QUANT_BLOCK_SIZES: readonly number[] = [32, 64, 128];

/** The shape of a quantised weight. */
export interface QuantShape {
  /** Output features (rows). */
  n: number;
  /** Input features (columns). */
  k: number;
  /** Code width. */
  bits: QuantBits;
  /** Block size along K. */
  blockSize: number;
  /** Whether zero points are stored. */
  symmetric: boolean;
}

/** Blocks per row. */
export function blocksPerRow(s: QuantShape): number {
  return Math.ceil(s.k / s.blockSize);
}

/** Bytes of one block's codes. */
export function blobSize(s: QuantShape): number {
  return (s.blockSize * s.bits) / 8;
}

/** Bytes of the zero points of one row (0 when symmetric). */
export function zeroPointRowBytes(s: QuantShape): number {
  return s.symmetric ? 0 : Math.ceil((blocksPerRow(s) * s.bits) / 8);
}

/** A quantised weight in MatMulNBits layout. */
export interface QuantizedWeight {
  /** `[N, blocks, blob]` codes. */
  codes: Uint8Array;
  /** `[N * blocks]` scales. */
  scales: Float32Array;
  /** `[N * zeroPointRowBytes]` packed zero points; absent when symmetric. */
  zeroPoints?: Uint8Array;
}

/** Quantises a row-major `[N, K]` float32 weight. */
export function quantizeWeight(w: Float32Array, s: QuantShape): QuantizedWeight {
  if (w.length !== s.n * s.k) {
    throw new RangeError(`weight has ${w.length} values, not ${s.n} x ${s.k}`);
  }
  const blocks = blocksPerRow(s);
  const blob = blobSize(s);
  const maxCode = 2 ** s.bits - 1;
  const implicitZero = 2 ** (s.bits - 1);
  const codes = new Uint8Array(s.n * blocks * blob);
  const scales = new Float32Array(s.n * blocks);
  const zpRow = zeroPointRowBytes(s);
  const zeroPoints = s.symmetric ? undefined : new Uint8Array(s.n * zpRow);
  const block = new Uint8Array(s.blockSize);
  for (let r = 0; r < s.n; r++) {
    for (let b = 0; b < blocks; b++) {
      const start = r * s.k + b * s.blockSize;
      const count = Math.min(s.blockSize, s.k - b * s.blockSize);
      let lo = 0, hi = 0;
      for (let i = 0; i < count; i++) {
        const v = w[start + i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      let scale: number, zero: number;
      if (s.symmetric) {
        scale = Math.max(-lo, hi) / (implicitZero - 1);
        zero = implicitZero;
      } else {
        scale = (hi - lo) / maxCode;
        zero = scale === 0 ? implicitZero : Math.min(maxCode, Math.max(0, Math.round(-lo / scale)));
      }
      scale = Math.fround(scale);
      const inverse = scale === 0 ? 0 : 1 / scale;
      block.fill(zero);
      for (let i = 0; i < count; i++) {
        block[i] = Math.min(maxCode, Math.max(0, Math.round(w[start + i] * inverse) + zero));
      }
      const out = (r * blocks + b) * blob;
      if (s.bits === 8) codes.set(block, out);
      else for (let i = 0; i < blob; i++) codes[out + i] = block[2 * i] | (block[2 * i + 1] << 4);
      scales[r * blocks + b] = scale;
      if (zeroPoints) {
        if (s.bits === 8) zeroPoints[r * zpRow + b] = zero;
        else zeroPoints[r * zpRow + (b >> 1)] |= zero << ((b & 1) * 4);
      }
    }
  }
  return { codes, scales, zeroPoints };
}
