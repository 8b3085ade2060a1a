/**
 * The picture as the model sees it: the preprocessed tiles (the global tile, then the grid tiles
 * in their rows and columns), drawn from the float pixel values fed to the vision encoder.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import type { RgbImage } from "../pipeline/mod.ts";
import { Figure } from "./figure.ts";
import { asPicture, type Picture, PICTURE_LABEL } from "./picture.ts";

/** Preprocessed tiles: `n * 3 * S * S` values in [0, 1] (NCHW), their shape and tile grid. */
export interface TilePixels {
  /** The pixel values, NCHW. */
  pixelValues: Float32Array;
  /** `[n, 3, S, S]`. */
  shape: readonly [number, number, number, number];
  /** `[rows, cols]` of grid tiles (`[1, 1]` for one tile). */
  grid: readonly [number, number];
}

/** Options for {@link tilesFigure}. */
export interface TilesFigureOptions {
  /** Side of one tile on screen, in px (default 96). */
  tileSize?: number;
  /** Title above the figure. */
  title?: string;
  /** Caption below (default: how many tiles of which size). */
  caption?: string;
}

/** Tile `t` of NCHW pixel values in [0, 1] as an 8-bit RGB image. */
export function tileImage(pixels: TilePixels, t: number): RgbImage {
  const [n, channels, height, width] = pixels.shape;
  if (channels !== 3 || !(t >= 0 && t < n)) {
    throw new InputError(
      `tile ${t} of shape [${pixels.shape.join(", ")}]`,
      "ask for a tile 0…n−1 of [n, 3, S, S] pixels",
    );
  }
  const plane = height * width;
  const data = new Uint8Array(plane * 3);
  const base = t * 3 * plane;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels.pixelValues[base + c * plane + i];
      data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
  }
  return { width, height, data };
}

/**
 * The tiles the vision encoder sees: the global tile on the left, the grid tiles beside it in
 * their places (one tile alone for v0.1/v0.2 and 1x1 grids).
 *
 * @example
 * ```ts
 * const pixels = { pixelValues: new Float32Array(3 * 8 * 8).fill(0.5), shape: [1, 3, 8, 8] as const, grid: [1, 1] as const };
 * tilesFigure(pixels);
 * ```
 */
export function tilesFigure(pixels: TilePixels, options: TilesFigureOptions = {}): Figure {
  const [n, , size] = pixels.shape;
  const [rows, cols] = pixels.grid;
  const hasGlobal = n === rows * cols + 1 && n > 1;
  if (!hasGlobal && n !== rows * cols) {
    throw new InputError(
      `${n} tiles for a ${rows}x${cols} grid`,
      "give rows*cols tiles, or a global tile plus rows*cols",
    );
  }
  const { tileSize = 96, title } = options;
  const gap = 0.06; // in tiles
  const pictures: (Picture & { x: number; y: number; label: string })[] = [];
  for (let t = 0; t < n; t++) {
    const picture = asPicture(tileImage(pixels, t), { maxSize: tileSize * 2 });
    if (hasGlobal && t === 0) pictures.push({ ...picture, x: 0, y: 0, label: "global" });
    else {
      const g = hasGlobal ? t - 1 : t;
      const r = Math.floor(g / cols), c = g % cols;
      const left = hasGlobal ? 1 + 2 * gap : 0;
      pictures.push({
        ...picture,
        x: left + c * (1 + gap),
        y: r * (1 + gap),
        label: n === 1 ? "image" : `r${r + 1}c${c + 1}`,
      });
    }
  }
  const spanX = Math.max(...pictures.map((p) => p.x + 1));
  const spanY = Math.max(...pictures.map((p) => p.y + 1));
  return new Figure({
    width: Math.round(spanX * tileSize),
    height: Math.round(spanY * tileSize),
    margin: 0,
    title,
    caption: options.caption ??
      `${n} tile${n > 1 ? "s" : ""} of ${size}x${size} px${
        hasGlobal ? ` (global + ${rows}x${cols} grid)` : ""
      }`,
    x: { domain: [0, spanX], axis: null },
    y: { domain: [0, spanY], reverse: true, axis: null },
    marks: [
      Plot.image(pictures, {
        x: (p) => p.x + 0.5,
        y: (p) => p.y + 0.5,
        width: tileSize,
        height: tileSize,
        src: "href",
        preserveAspectRatio: "none",
      }),
      Plot.text(pictures, {
        x: "x",
        y: "y",
        text: "label",
        ...PICTURE_LABEL,
      }),
    ],
  }, { description: `[${n} preprocessed tile(s)]` });
}

/** Options for {@link pictureFigure}. */
export interface PictureFigureOptions {
  /** Width on screen in px (default 320). */
  width?: number;
  /** Title above the picture. */
  title?: string;
  /** Caption below the picture. */
  caption?: string;
}

/** A picture alone, at its aspect ratio (the base the attention figures draw on). */
export function pictureFigure(
  image: RgbImage | Picture,
  options: PictureFigureOptions = {},
): Figure {
  const picture = asPicture(image);
  const { width = 320, title, caption } = options;
  const height = Math.round((width * picture.height) / picture.width);
  return new Figure({
    width,
    height,
    margin: 0,
    title,
    caption: caption ?? `${picture.width}x${picture.height} px`,
    x: { domain: [0, picture.width], axis: null },
    y: { domain: [0, picture.height], reverse: true, axis: null },
    marks: [Plot.image([picture], {
      x: picture.width / 2,
      y: picture.height / 2,
      width,
      height,
      src: "href",
      preserveAspectRatio: "none",
    })],
  }, { description: `[picture ${picture.width}x${picture.height}]` });
}
