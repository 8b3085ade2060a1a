/**
 * torch's bilinear `interpolate` (`align_corners=False`) on a float32 CHW image, with and without
 * antialiasing, in float32 arithmetic as ATen's CPU kernels compute it. This is what
 * `torchvision.transforms.functional.resize(tensor, [h, w])` does to the current generation's
 * global tile: torchvision >= 0.17 antialiases by default, older versions do not.
 *
 * Antialiased (`_upsample_bilinear2d_aa`): separable, width pass then height pass into a float32
 * intermediate; per axis the Pillow-style bounds and triangle weights with
 * `support = max(scale, 1)`, computed in float32 (`scale = float(in) / out`), normalised by their
 * float32 sum, and accumulated in order, `((w0 x0) + w1 x1) + ...` (the height pass with fused
 * multiply-adds, as ATen's vectorised vertical loop does). Measured against the reference goldens
 * this is bit-exact except in the last output column, where the window is cut by the image edge
 * and about 0.2% of values differ by one float32 ulp.
 *
 * Plain (`upsample_bilinear2d`): the two nearest source indices per axis with
 * `src = max(scale * (i + 0.5) - 0.5, 0)` in float32, and
 * `out = (x00 w0 + x01 w1) h0 + (x10 w0 + x11 w1) h1`; an axis that keeps its size copies.
 *
 * @module
 */
import { validateImageSize } from "./rgb_image.ts";

const f32 = Math.fround;

/** A float32 image in CHW layout (`data[(c * height + y) * width + x]`). */
export interface FloatImage {
  /** Number of channels. */
  channels: number;
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** `channels * height * width` values. */
  data: Float32Array;
}

/** Antialiased bilinear weights of one axis: for output i, `count[i]` weights from `first[i]`. */
interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/** ATen's `HelperInterpBase::_compute_weights_aa` for the bilinear filter, in float32. */
function antialiasWeights(inSize: number, outSize: number): AxisWeights {
  const scale = f32(inSize / outSize);
  const support = scale >= 1 ? scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const invscale = scale >= 1 ? f32(1 / scale) : 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    const n = Math.min(Math.trunc(f32(center + support) + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const x = f32((f32(f32(j + xmin) - center) + 0.5) * invscale);
      const t = x < 0 ? -x : x;
      const w = t < 1 ? f32(1 - t) : 0;
      weights[i * stride + j] = w;
      total = f32(total + w);
    }
    if (total !== 0) {
      for (let j = 0; j < n; j++) weights[i * stride + j] = f32(weights[i * stride + j] / total);
    }
    first[i] = xmin;
    count[i] = n;
  }
  return { first, count, weights, stride };
}

const bits = new Float32Array(1);
const bitsU32 = new Uint32Array(bits.buffer);

/** The float32 next to finite `x` (a float32) in the direction of `sign`. */
function nextF32(x: number, sign: number): number {
  if (x === 0) return sign > 0 ? 1e-45 : -1e-45;
  bits[0] = x;
  bitsU32[0] += (x > 0) === (sign > 0) ? 1 : -1;
  return bits[0];
}

/**
 * `fmaf(a, b, c)` for float32 operands: `a * b + c` with one rounding to float32. The product
 * of two float32 values is exact in float64; TwoSum recovers the addition's error, which decides
 * the float32 rounding where the float64 sum lands exactly halfway between two float32 values.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const v = s - p;
  const e = (p - (s - v)) + (c - v);
  const r = f32(s);
  if (e === 0 || r === s) return r;
  const other = nextF32(r, s - r);
  // Exactly halfway in float64: the exact sum s + e lies on e's side of the midpoint.
  if (Math.abs(s - r) === Math.abs(other - s)) return (e > 0) === (other > r) ? other : r;
  return r;
}

/**
 * One antialiased pass along the width (`alongWidth`) or the height. The height pass multiplies
 * and adds with fused multiply-adds: ATen vectorises it across the contiguous width with
 * `fmadd`, which the reference goldens reproduce bit for bit; the width pass is scalar.
 */
function antialiasPass(src: FloatImage, outSize: number, alongWidth: boolean): FloatImage {
  const { channels, height, width, data } = src;
  const outH = alongWidth ? height : outSize;
  const outW = alongWidth ? outSize : width;
  const { first, count, weights, stride } = antialiasWeights(
    alongWidth ? width : height,
    outSize,
  );
  const step = alongWidth ? 1 : width;
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const i = alongWidth ? x : y;
        const base = alongWidth
          ? (c * height + y) * width + first[i]
          : (c * height + first[i]) * width + x;
        const k = i * stride;
        let acc = f32(data[base] * weights[k]);
        if (alongWidth) {
          for (let j = 1; j < count[i]; j++) {
            acc = f32(acc + f32(data[base + j * step] * weights[k + j]));
          }
        } else {
          for (let j = 1; j < count[i]; j++) {
            acc = fmaF32(data[base + j * step], weights[k + j], acc);
          }
        }
        out[(c * outH + y) * outW + x] = acc;
      }
    }
  }
  return { channels, height: outH, width: outW, data: out };
}

/** Source indices and weights of one axis for plain (not antialiased) bilinear. */
interface LinearTaps {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

/** ATen's `compute_source_index_and_lambda` for `align_corners=False`, in float32. */
function linearTaps(inSize: number, outSize: number): LinearTaps {
  const taps = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    w0: new Float32Array(outSize),
    w1: new Float32Array(outSize),
  };
  const scale = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (inSize === outSize) {
      taps.i0[i] = taps.i1[i] = i;
      taps.w0[i] = 1;
      continue;
    }
    const real = Math.max(f32(f32(scale * f32(i + 0.5)) - 0.5), 0);
    const i0 = Math.trunc(real);
    taps.i0[i] = i0;
    taps.i1[i] = i0 + (i0 < inSize - 1 ? 1 : 0);
    taps.w1[i] = f32(real - i0);
    taps.w0[i] = f32(1 - taps.w1[i]);
  }
  return taps;
}

function plainBilinear(src: FloatImage, outH: number, outW: number): FloatImage {
  const { channels, height, width, data } = src;
  const h = linearTaps(height, outH);
  const w = linearTaps(width, outW);
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < outH; y++) {
      const r0 = plane + h.i0[y] * width;
      const r1 = plane + h.i1[y] * width;
      for (let x = 0; x < outW; x++) {
        const top = f32(f32(data[r0 + w.i0[x]] * w.w0[x]) + f32(data[r0 + w.i1[x]] * w.w1[x]));
        const bottom = f32(f32(data[r1 + w.i0[x]] * w.w0[x]) + f32(data[r1 + w.i1[x]] * w.w1[x]));
        out[(c * outH + y) * outW + x] = f32(f32(top * h.w0[y]) + f32(bottom * h.w1[y]));
      }
    }
  }
  return { channels, height: outH, width: outW, data: out };
}

/**
 * Resizes a float32 CHW image as `torch.nn.functional.interpolate(x, [height, width],
 * mode="bilinear", align_corners=False, antialias=antialias)` does on the CPU.
 *
 * @example
 * ```ts
 * const globalTile = torchResizeBilinear(resized, 512, 512, { antialias: true });
 * ```
 */
export function torchResizeBilinear(
  src: FloatImage,
  height: number,
  width: number,
  options: { antialias: boolean },
): FloatImage {
  validateImageSize(src.width, src.height, "tensor to resize");
  validateImageSize(width, height, "resize target");
  if (!options.antialias) return plainBilinear(src, height, width);
  let current = src;
  if (width !== current.width) current = antialiasPass(current, width, true);
  if (height !== current.height) current = antialiasPass(current, height, false);
  return current === src ? { ...src, data: src.data.slice() } : current;
}
