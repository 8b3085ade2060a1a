/**
 * Work and traffic of the model's stages, from its config: the numerators of the benchmark's
 * roofline fractions.
 *
 * @module
 */
import {
  blobSize,
  blocksPerRow,
  geometryOf,
  type ModulePrecision,
  type NanoVLMConfig,
  type Precision,
  quantBits,
  type QuantOptions,
  zeroPointRowBytes,
} from "../../src/mod.ts";

/** Floating-point operations of encoding one image (ViT + projector; multiply-add = 2). */
export function visionFlops(c: NanoVLMConfig): number {
  const g = geometryOf(c);
  const p = g.patchesPerImage, d = c.vit_hidden_dim;
  const patch = 2 * p * d * 3 * c.vit_patch_size ** 2;
  const block = 2 * p * (3 * d * d + d * d + 2 * d * c.vit_inter_dim) + 4 * p * p * d;
  const projector = 2 * g.imageTokensPerImage * d * c.mp_pixel_shuffle_factor ** 2 *
    c.lm_hidden_dim;
  return patch + c.vit_n_blocks * block + projector;
}

/** Floating-point operations of a prefill of `tokens` positions (logits of the last only). */
export function prefillFlops(c: NanoVLMConfig, tokens: number): number {
  const d = c.lm_hidden_dim, kv = (d / c.lm_n_heads) * c.lm_n_kv_heads;
  const perToken = 2 * (2 * d * d + 2 * d * kv + 3 * d * c.lm_inter_dim);
  const attention = 4 * tokens * tokens * d / 2; // causal: half the score matrix on average
  return c.lm_n_blocks * (tokens * perToken + attention) + 2 * d * c.lm_vocab_size;
}

/** Bytes of weights one decode step must read (all decoder matrices and the tied head). */
export function decodeWeightBytes(c: NanoVLMConfig, bytesPerWeight: number): number {
  const d = c.lm_hidden_dim, kv = (d / c.lm_n_heads) * c.lm_n_kv_heads;
  const perBlock = 2 * d * d + 2 * d * kv + 3 * d * c.lm_inter_dim + 2 * d;
  return (c.lm_n_blocks * perBlock + d + c.lm_vocab_size * d) * bytesPerWeight;
}

/**
 * Bytes one decode step reads under a precision: each decoder matrix and the head at its own
 * storage (fp32 4 B/weight; fp16 graphs compute on fp32 weights on the CPU, so 4 B too; int8/int4
 * codes plus a float32 scale, and a zero point when asymmetric, per block), norms in float32.
 */
export function decodeBytesRead(
  c: NanoVLMConfig,
  precision: ModulePrecision,
  quant: QuantOptions,
): number {
  const d = c.lm_hidden_dim, kv = (d / c.lm_n_heads) * c.lm_n_kv_heads, f = c.lm_inter_dim;
  const matrix = (n: number, k: number, p: Precision) => {
    const bits = quantBits(p);
    if (!bits) return n * k * 4;
    const shape = { n, k, bits, blockSize: quant.blockSize, symmetric: quant.symmetric };
    return n * blocksPerRow(shape) * (blobSize(shape) + 4) + n * zeroPointRowBytes(shape);
  };
  const p = precision.decoder;
  const perBlock = 2 * matrix(d, d, p) + 2 * matrix(kv, d, p) + 2 * matrix(f, d, p) +
    matrix(d, f, p) + 2 * d * 4;
  return c.lm_n_blocks * perBlock + d * 4 + matrix(c.lm_vocab_size, d, precision.head);
}
