/**
 * Pillow's `Image.resize` for 8-bit RGB images (BILINEAR and BICUBIC), reproduced bit for bit.
 *
 * Pillow 9.4 (`src/libImaging/Resample.c`) resamples separably: a horizontal pass into an 8-bit
 * intermediate image, then a vertical pass. Per axis, with `scale = in / out` and
 * `filterscale = max(scale, 1)`, each output index gets the input range
 * `[trunc(center - support + 0.5), trunc(center + support + 0.5))` clipped to the image, where
 * `center = (x + 0.5) * scale` and `support = filter.support * filterscale`; the float64 filter
 * weights are normalised to sum 1, then quantised to 22 fractional bits (rounding half away from
 * zero), and each output is `clip8((2^21 + sum(k * px)) >> 22)`. An axis whose size does not
 * change is not resampled at all (and an unchanged image is returned as a copy).
 *
 * @module
 */
import { type RgbImage, validateImageSize, validateRgbImage } from "./rgb_image.ts";

/** A Pillow resampling filter: its kernel and the kernel's support at scale 1. */
export interface PillowFilter {
  /** Name, as in `PIL.Image.Resampling`. */
  name: "BILINEAR" | "BICUBIC";
  /** Support radius at scale 1. */
  support: number;
  /** The kernel, evaluated in float64 exactly as Pillow's C code does. */
  kernel: (x: number) => number;
}

/** Pillow's BILINEAR filter: the triangle `1 - |x|`, support 1. */
export const PILLOW_BILINEAR: PillowFilter = {
  name: "BILINEAR",
  support: 1,
  kernel: (x) => {
    const t = x < 0 ? -x : x;
    return t < 1 ? 1 - t : 0;
  },
};

const CUBIC_A = -0.5;

/** Pillow's BICUBIC filter: Keys' cubic convolution with a = -0.5, support 2. */
export const PILLOW_BICUBIC: PillowFilter = {
  name: "BICUBIC",
  support: 2,
  kernel: (x) => {
    const t = x < 0 ? -x : x;
    if (t < 1) return ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * CUBIC_A;
    return 0;
  },
};

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Fixed-point coefficients of one axis: for output i, `count[i]` weights from input `first[i]`. */
interface AxisCoefficients {
  first: Int32Array;
  count: Int32Array;
  /** `stride` quantised weights per output index. */
  weights: Int32Array;
  stride: number;
}

/** Pillow's `precompute_coeffs` followed by `normalize_coeffs_8bpc`. */
function axisCoefficients(inSize: number, outSize: number, filter: PillowFilter): AxisCoefficients {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const stride = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterscale;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const raw = new Float64Array(stride);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < n; x++) {
      const w = filter.kernel((x + xmin - center + 0.5) * inverse);
      raw[x] = w;
      total += w;
    }
    for (let x = 0; x < n; x++) {
      const w = total !== 0 ? raw[x] / total : raw[x];
      weights[xx * stride + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[xx] = xmin;
    count[xx] = n;
  }
  return { first, count, weights, stride };
}

function clip8(accumulator: number): number {
  const v = accumulator >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resampleHorizontal(image: RgbImage, outWidth: number, filter: PillowFilter): RgbImage {
  const { width, height, data } = image;
  const { first, count, weights, stride } = axisCoefficients(width, outWidth, filter);
  const out = new Uint8Array(outWidth * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      let r = HALF, g = HALF, b = HALF;
      const k0 = xx * stride;
      let p = row + first[xx] * 3;
      for (let x = 0; x < count[xx]; x++, p += 3) {
        const k = weights[k0 + x];
        r += data[p] * k;
        g += data[p + 1] * k;
        b += data[p + 2] * k;
      }
      const o = (y * outWidth + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: outWidth, height, data: out };
}

function resampleVertical(image: RgbImage, outHeight: number, filter: PillowFilter): RgbImage {
  const { width, height, data } = image;
  const { first, count, weights, stride } = axisCoefficients(height, outHeight, filter);
  const out = new Uint8Array(width * outHeight * 3);
  const rowBytes = width * 3;
  for (let yy = 0; yy < outHeight; yy++) {
    const k0 = yy * stride;
    const start = first[yy] * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      let acc = HALF;
      let p = start + i;
      for (let y = 0; y < count[yy]; y++, p += rowBytes) acc += data[p] * weights[k0 + y];
      out[yy * rowBytes + i] = clip8(acc);
    }
  }
  return { width, height: outHeight, data: out };
}

/**
 * Resizes an 8-bit RGB image exactly as Pillow 9.4's `Image.resize((width, height), filter)`.
 *
 * @example
 * ```ts
 * const square = pillowResize(image, 224, 224, PILLOW_BILINEAR);
 * ```
 */
export function pillowResize(
  image: RgbImage,
  width: number,
  height: number,
  filter: PillowFilter,
): RgbImage {
  validateRgbImage(image);
  validateImageSize(width, height, "resize target");
  let current = image;
  if (width !== current.width) current = resampleHorizontal(current, width, filter);
  if (height !== current.height) current = resampleVertical(current, height, filter);
  return current === image ? { width, height, data: image.data.slice() } : current;
}
