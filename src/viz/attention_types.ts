/**
 * The plain inputs attention figures take: a picture and, per tile, a grid of weights placed in
 * the original picture's pixels. `inspect`'s attention maps convert to these; anything else that
 * has a picture and a grid of numbers can be drawn the same way.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { RgbImage } from "../pipeline/mod.ts";
import type { Picture } from "./picture.ts";

/** A box in original-image pixels: `[x0, y0, x1, y1]` (x right, y down). */
export type TileBox = readonly [number, number, number, number];

/** One tile's weights: a `rows x cols` grid covering `box` of the original picture. */
export interface TileWeights {
  /** `"image"` (one tile), `"global"`, or `"r{row}c{col}"` (1-based grid tiles). */
  name: string;
  /** Where the tile lies in the original picture. */
  box: TileBox;
  /** `[rows, cols]` of the weight grid (default: from nested `values`; required for flat ones). */
  grid?: readonly [number, number];
  /** `rows * cols` weights, row-major, or one array per row (an inspect `TileMap` fits as is). */
  values: ArrayLike<number> | readonly (ArrayLike<number>)[];
  /** The tile's ViT patch grid `[rows, cols]`, to draw the patch lines (optional). */
  patches?: readonly [number, number];
}

/** A picture with the weights of one query (one layer, one head or a fusion of them). */
export interface ImageAttention {
  /** The original picture (an RgbImage is embedded at most 512 px wide). */
  image: RgbImage | Picture;
  /** One entry per tile. */
  tiles: readonly TileWeights[];
}

/** `[rows, cols]` of a tile: its `grid`, or the shape of its nested `values`. */
export function tileGrid(tile: TileWeights): [number, number] {
  if (tile.grid) return [tile.grid[0], tile.grid[1]];
  const values = tile.values;
  if (values.length > 0 && typeof values[0] !== "number") {
    return [values.length, (values[0] as ArrayLike<number>).length];
  }
  throw new InputError(
    `tile ${tile.name}: flat values without a grid`,
    "give grid: [rows, cols], or the values as one array per row",
  );
}

/** The weights of a tile as a flat row-major array, checked against its grid. */
export function flatValues(tile: TileWeights): Float64Array {
  const [rows, cols] = tileGrid(tile);
  const values = tile.values;
  const nested = values.length > 0 && typeof values[0] !== "number";
  const out = new Float64Array(rows * cols);
  if (nested) {
    const lines = values as readonly ArrayLike<number>[];
    if (lines.length !== rows || lines.some((line) => line.length !== cols)) {
      throw new InputError(
        `tile ${tile.name}: values are not a ${rows}x${cols} grid`,
        "give one array of cols numbers per row, or rows*cols numbers row-major",
      );
    }
    lines.forEach((line, r) => out.set(Array.from(line), r * cols));
  } else {
    if (values.length !== rows * cols) {
      throw new InputError(
        `tile ${tile.name}: ${values.length} values for a ${rows}x${cols} grid`,
        `give rows*cols = ${rows * cols} values, row-major`,
      );
    }
    out.set(Array.from(values as ArrayLike<number>));
  }
  return out;
}

/** Throws an InputError unless every tile box lies within a `width x height` picture. */
export function checkTiles(tiles: readonly TileWeights[], width: number, height: number): void {
  if (tiles.length === 0) {
    throw new InputError("attention: no tiles", "give at least one tile of weights");
  }
  for (const tile of tiles) {
    const [x0, y0, x1, y1] = tile.box;
    const eps = 1e-6 * Math.max(width, height);
    if (
      !(x0 >= -eps && y0 >= -eps && x1 <= width + eps && y1 <= height + eps && x1 > x0 && y1 > y0)
    ) {
      throw new InputError(
        `tile ${tile.name}: box [${
          tile.box.join(", ")
        }] is not inside the ${width}x${height} picture`,
        "tile boxes are in original-image pixels: [x0, y0, x1, y1] with x0 < x1, y0 < y1",
      );
    }
    const [rows, cols] = tileGrid(tile);
    if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
      throw new InputError(
        `tile ${tile.name}: grid ${rows}x${cols} is not a positive integer size`,
        "grid is [rows, cols] of the weights",
      );
    }
  }
}
