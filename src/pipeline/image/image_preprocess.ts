/**
 * nanoVLM's image preprocessing (spec §7), per code generation:
 *
 * - v0.1 / v0.2: `Resize((S, S))` (Pillow BILINEAR, aspect ratio not kept), `ToTensor()` (x/255),
 *   no normalisation: one image `[1, 3, S, S]`.
 * - current: `DynamicResize` (Pillow BICUBIC; long side to `max_img_size`, short side rounded up
 *   to a multiple of S), `ToTensor()`, `GlobalAndSplitImages`: a global tile (torchvision
 *   bilinear resize of the whole resized tensor to S x S) followed by the row-major S x S tiles;
 *   a (1, 1) grid has no separate global tile.
 *
 * @module
 */
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import { ConfigError } from "../../errors.ts";
import { PILLOW_BICUBIC, PILLOW_BILINEAR, pillowResize } from "./pillow_resample.ts";
import { type RgbImage, validateRgbImage } from "./rgb_image.ts";
import { type FloatImage, torchResizeBilinear } from "./torch_resample.ts";

/** The tensor fed to the vision encoder for one image. */
export interface PreprocessedImage {
  /** `n * 3 * S * S` float32 values in [0, 1], NCHW. */
  pixelValues: Float32Array;
  /** `[n, 3, S, S]`: n = 1 for v0.1/v0.2; 1 + rows * cols (or 1 for a 1x1 grid) otherwise. */
  shape: [number, number, number, number];
  /** Tile grid `[rows, cols]`; `[1, 1]` for v0.1/v0.2. */
  grid: [number, number];
}

/** Options of {@link preprocessImage}. */
export interface PreprocessOptions {
  /**
   * Antialias the current generation's global tile (default true): torchvision >= 0.17
   * behaviour, which the reference fixtures use. `false` reproduces torchvision < 0.17.
   */
  antialiasGlobalTile?: boolean;
}

/** HEAD `VLMConfig` defaults for fields a current-generation config.json may omit. */
const DEFAULT_MAX_IMG_SIZE = 2048;
const DEFAULT_RESIZE_TO_MAX_SIDE_LEN = true;

/**
 * DynamicResize's target size `[height, width]` for an image of `width` x `height`
 * (`data/custom_transforms.py@HEAD`), in float64 with Python's operation order.
 */
export function dynamicResizeSize(
  width: number,
  height: number,
  tileSize: number,
  maxSideLen: number,
  resizeToMaxSideLen: boolean,
): [number, number] {
  const [long, short] = width >= height ? [width, height] : [height, width];
  const targetLong = resizeToMaxSideLen
    ? maxSideLen
    : Math.min(maxSideLen, Math.ceil(long / tileSize) * tileSize);
  const scale = targetLong / long;
  const targetShort = Math.max(Math.ceil(short * scale / tileSize) * tileSize, tileSize);
  return width >= height ? [targetShort, targetLong] : [targetLong, targetShort];
}

/**
 * The largest input the config's preprocessing makes from any image: the resized image's pixels
 * (`height * width`, before tiling) and the tiles the vision encoder receives (the global one
 * included). Memory estimates start from it, before any image is read.
 */
export function largestPreprocessed(config: NanoVLMConfig): { pixels: number; tiles: number } {
  const tile = config.vit_img_size;
  if (config.generation !== "current") return { pixels: tile * tile, tiles: 1 };
  const maxSide = config.max_img_size ?? DEFAULT_MAX_IMG_SIZE;
  const resizeToMax = config.resize_to_max_side_len ?? DEFAULT_RESIZE_TO_MAX_SIDE_LEN;
  // A square picture at least max_img_size wide gives the largest grid either way.
  const [h, w] = dynamicResizeSize(maxSide, maxSide, tile, maxSide, resizeToMax);
  const cells = Math.ceil(h / tile) * Math.ceil(w / tile);
  return { pixels: h * w, tiles: cells === 1 ? 1 : cells + 1 };
}

/** torchvision `ToTensor()`: HWC uint8 to CHW float32, `x / 255`. */
export function toTensor(image: RgbImage): FloatImage {
  const { width, height, data } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p] = data[p * 3] / 255;
    out[plane + p] = data[p * 3 + 1] / 255;
    out[2 * plane + p] = data[p * 3 + 2] / 255;
  }
  return { channels: 3, height, width, data: out };
}

/** Copies the row-major `tileSize` tiles of `image` into `out`, starting at tile `firstSlot`. */
function splitTiles(image: FloatImage, tileSize: number, out: Float32Array, firstSlot: number) {
  const { channels, height, width, data } = image;
  const rows = height / tileSize, cols = width / tileSize;
  let slot = firstSlot;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++, slot++) {
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < tileSize; y++) {
          const from = (c * height + r * tileSize + y) * width + q * tileSize;
          const to = ((slot * channels + c) * tileSize + y) * tileSize;
          out.set(data.subarray(from, from + tileSize), to);
        }
      }
    }
  }
}

function squarePreprocess(image: RgbImage, size: number): PreprocessedImage {
  const resized = pillowResize(image, size, size, PILLOW_BILINEAR);
  return { pixelValues: toTensor(resized).data, shape: [1, 3, size, size], grid: [1, 1] };
}

function tiledPreprocess(
  image: RgbImage,
  config: NanoVLMConfig,
  options: PreprocessOptions,
): PreprocessedImage {
  const tile = config.vit_img_size;
  const maxSide = config.max_img_size ?? DEFAULT_MAX_IMG_SIZE;
  if (!Number.isInteger(maxSide) || maxSide < tile) {
    throw new ConfigError(
      `config max_img_size ${maxSide} is not an integer >= vit_img_size ${tile}`,
      "fix max_img_size in config.json",
    );
  }
  const [h, w] = dynamicResizeSize(
    image.width,
    image.height,
    tile,
    maxSide,
    config.resize_to_max_side_len ?? DEFAULT_RESIZE_TO_MAX_SIDE_LEN,
  );
  const resized = toTensor(pillowResize(image, w, h, PILLOW_BICUBIC));
  const grid: [number, number] = [h / tile, w / tile];
  const single = grid[0] === 1 && grid[1] === 1;
  const n = grid[0] * grid[1] + (single ? 0 : 1);
  const tileValues = 3 * tile * tile;
  const pixelValues = new Float32Array(n * tileValues);
  if (!single) {
    const global = torchResizeBilinear(resized, tile, tile, {
      antialias: options.antialiasGlobalTile ?? true,
    });
    pixelValues.set(global.data, 0);
  }
  splitTiles(resized, tile, pixelValues, single ? 0 : 1);
  return { pixelValues, shape: [n, 3, tile, tile], grid };
}

/**
 * Preprocesses one RGB image for a nanoVLM model of the config's generation, equal to the
 * original's `get_image_processor(...)(image)` (spec §7).
 *
 * @example
 * ```ts
 * const image = await loadImage("photo.jpg");
 * const { pixelValues, shape, grid } = preprocessImage(image, config);
 * ```
 */
export function preprocessImage(
  image: RgbImage,
  config: NanoVLMConfig,
  options: PreprocessOptions = {},
): PreprocessedImage {
  validateRgbImage(image);
  const size = config.vit_img_size;
  if (!Number.isInteger(size) || size < 1) {
    throw new ConfigError(
      `config vit_img_size ${size} is not a positive integer`,
      "fix vit_img_size in config.json",
    );
  }
  switch (config.generation) {
    case "v0.1":
    case "v0.2":
      return squarePreprocess(image, size);
    case "current":
      return tiledPreprocess(image, config, options);
    default:
      throw new ConfigError(
        `unknown config generation ${JSON.stringify(config.generation)}`,
        'expected "v0.1", "v0.2" or "current"',
      );
  }
}
