/**
 * Patch embeddings (or projector outputs) seen through their first principal components: a
 * scatter of PC1 against PC2 coloured by where each patch sits, or the first three components as
 * the red, green and blue of each patch on its grid.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import { Figure } from "./figure.ts";
import { scaleWithLegend } from "./render.ts";
import { pca, type PcaResult } from "./pca.ts";

/** Embeddings to analyse: `rows` vectors of `cols` values, row-major, optionally on a grid. */
export interface Embeddings {
  /** `rows * cols` values. */
  data: ArrayLike<number>;
  /** Number of vectors (patches or image tokens). */
  rows: number;
  /** Embedding width. */
  cols: number;
  /** `[gridRows, gridCols]` when the vectors are a row-major grid (patches of a tile). */
  grid?: readonly [number, number];
}

/** Options for {@link embeddingPca}. */
export interface EmbeddingPcaOptions {
  /** `"scatter"` (default): PC1 vs PC2; `"image"`: PC1–3 as RGB on the grid (needs `grid`). */
  mode?: "scatter" | "image";
  /** Scatter colour: `"row"` (default), `"col"` of the grid, or `"index"`. */
  color?: "row" | "col" | "index";
  /** Width in px (default 420 for the scatter, 256 for the image). */
  width?: number;
  /** Title above the figure. */
  title?: string;
  /** Caption below (default: the variance the components explain). */
  caption?: string;
}

/** {@link pca} of the embeddings plus the figure. */
export interface EmbeddingPcaFigure {
  /** The figure. */
  figure: Figure;
  /** The analysis it shows. */
  pca: PcaResult;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function rgbOf(result: PcaResult, i: number): string {
  const channel = (k: number) => {
    const s = result.scores[k];
    let lo = Infinity, hi = -Infinity;
    for (const v of s) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi > lo ? Math.round((255 * (s[i] - lo)) / (hi - lo)) : 128;
  };
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`;
}

/**
 * The embeddings' first principal components as a figure.
 *
 * @example
 * ```ts
 * const data = Float32Array.from({ length: 16 * 8 }, (_, i) => Math.sin(i));
 * const { figure, pca } = embeddingPca({ data, rows: 16, cols: 8, grid: [4, 4] });
 * ```
 */
export function embeddingPca(
  embeddings: Embeddings,
  options: EmbeddingPcaOptions = {},
): EmbeddingPcaFigure {
  const { rows, cols, grid } = embeddings;
  const { mode = "scatter", color = "row", title } = options;
  if (grid && grid[0] * grid[1] !== rows) {
    throw new InputError(
      `embeddingPca: grid ${grid[0]}x${grid[1]} does not hold ${rows} vectors`,
      "grid is [rows, cols] of the patch grid, rows*cols = number of vectors",
    );
  }
  const gridCols = grid?.[1] ?? rows;
  if (mode === "image") {
    if (!grid) {
      throw new InputError("embeddingPca: mode image needs a grid", "give grid: [rows, cols]");
    }
    const result = pca(embeddings.data, rows, cols, { components: Math.min(3, cols, rows) });
    while (result.scores.length < 3) result.scores.push(new Float64Array(rows));
    const width = options.width ?? 256;
    const cells = Array.from({ length: rows }, (_, i) => ({
      row: Math.floor(i / gridCols),
      col: i % gridCols,
      fill: rgbOf(result, i),
    }));
    const figure = new Figure({
      width,
      height: Math.round((width * grid[0]) / grid[1]),
      margin: 0,
      title,
      caption: options.caption ??
        `PC1–3 as red, green, blue: ${result.explained.map(percent).join(", ")} of the variance`,
      x: { type: "band", domain: [...Array(grid[1]).keys()], axis: null, padding: 0 },
      y: { type: "band", domain: [...Array(grid[0]).keys()], axis: null, padding: 0 },
      marks: [
        Plot.cell(cells, { x: "col", y: "row", fill: (d) => d.fill, shapeRendering: "crispEdges" }),
      ],
    }, { description: `[PCA image of ${rows} embeddings on a ${grid[0]}x${grid[1]} grid]` });
    return { figure, pca: result };
  }
  const result = pca(embeddings.data, rows, cols, { components: 2 });
  const points = Array.from({ length: rows }, (_, i) => ({
    pc1: result.scores[0][i],
    pc2: result.scores[1][i],
    index: i,
    row: Math.floor(i / gridCols),
    col: i % gridCols,
  }));
  const width = options.width ?? 420;
  const figure = new Figure({
    width,
    height: width,
    title,
    caption: options.caption ??
      `PC1 ${percent(result.explained[0])}, PC2 ${percent(result.explained[1])} of the variance`,
    x: { label: "PC1 →", zero: false },
    y: { label: "↑ PC2", zero: false },
    color: scaleWithLegend({
      type: "linear",
      scheme: "viridis",
      legend: true,
      label: grid ? `patch ${color}` : "index",
    }, { marginLeft: 16, marginRight: 16 }),
    marks: [
      Plot.dot(points, {
        x: "pc1",
        y: "pc2",
        fill: grid ? color : "index",
        r: 3,
        title: (d) => `#${d.index} (row ${d.row}, col ${d.col})`,
      }),
    ],
  }, { description: `[PCA scatter of ${rows} embeddings]` });
  return { figure, pca: result };
}
