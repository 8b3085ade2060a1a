/**
 * The marks of attention drawn over pictures, shared by every attention figure: each panel (one
 * picture and its tiles, faceted by `fx`/`fy` in small multiples) becomes the picture, a cell per
 * image token coloured or darkened by its weight, the optional patch grid and tile borders.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import { checkTiles, flatValues, tileGrid, type TileWeights } from "./attention_types.ts";
import type { AttentionStyle, TileChoice } from "./attention_style.ts";
import { scaleWithLegend } from "./render.ts";
import { type Picture, PICTURE_LABEL } from "./picture.ts";

/** One panel of a small-multiples figure (a single figure has one, without facets). */
export interface Panel {
  /** The panel's column facet (a head, a word's index). */
  fx?: number | string;
  /** The panel's row facet (a layer). */
  fy?: number | string;
  /** The picture drawn under the weights. */
  picture: Picture;
  /** The weights, tile by tile. */
  tiles: readonly TileWeights[];
}

function selectTiles(tiles: readonly TileWeights[], choice: TileChoice): TileWeights[] {
  const grid = tiles.filter((t) => t.name !== "global" && t.name !== "image");
  if (choice === "auto") return grid.length > 0 ? grid : [...tiles];
  if (choice === "grid") {
    if (grid.length === 0) {
      throw new InputError(
        "attention: no grid tiles to draw",
        `this map has tiles ${tiles.map((t) => t.name).join(", ")}; use tiles: "auto" or "global"`,
      );
    }
    return grid;
  }
  const names = choice === "global" ? ["global"] : choice;
  const picked = names.map((name) => {
    const tile = tiles.find((t) => t.name === name);
    if (!tile) {
      throw new InputError(
        `attention: no tile named "${name}"`,
        `tiles here: ${tiles.map((t) => t.name).join(", ")}`,
      );
    }
    return tile;
  });
  return picked;
}

interface Cell {
  fx?: number | string;
  fy?: number | string;
  tile: string;
  row: number;
  col: number;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  value: number;
}

function cellsOf(panel: Panel, tiles: readonly TileWeights[]): Cell[] {
  const cells: Cell[] = [];
  for (const tile of tiles) {
    const values = flatValues(tile);
    const [rows, cols] = tileGrid(tile);
    const [x0, y0, x1, y1] = tile.box;
    const w = (x1 - x0) / cols, h = (y1 - y0) / rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        cells.push({
          fx: panel.fx,
          fy: panel.fy,
          tile: tile.name,
          row: r,
          col: c,
          x1: x0 + c * w,
          x2: x0 + (c + 1) * w,
          y1: y0 + r * h,
          y2: y0 + (r + 1) * h,
          value: values[r * cols + c],
        });
      }
    }
  }
  return cells;
}

interface Segment {
  fx?: number | string;
  fy?: number | string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function patchLines(
  panel: Panel,
  tiles: readonly TileWeights[],
  perToken: boolean | number,
): Segment[] {
  const lines: Segment[] = [];
  for (const tile of tiles) {
    const [tokenRows, tokenCols] = tileGrid(tile);
    const patches = typeof perToken === "number"
      ? [tokenRows * perToken, tokenCols * perToken]
      : tile.patches;
    if (!patches) continue;
    const [rows, cols] = patches;
    const [x0, y0, x1, y1] = tile.box;
    for (let c = 1; c < cols; c++) {
      const x = x0 + (c * (x1 - x0)) / cols;
      lines.push({ fx: panel.fx, fy: panel.fy, x1: x, y1: y0, x2: x, y2: y1 });
    }
    for (let r = 1; r < rows; r++) {
      const y = y0 + (r * (y1 - y0)) / rows;
      lines.push({ fx: panel.fx, fy: panel.fy, x1: x0, y1: y, x2: x1, y2: y });
    }
  }
  return lines;
}

/** The marks of the panels (picture, cells, patch grid, tile borders) and the largest weight drawn. */
export function panelMarks(
  panels: readonly Panel[],
  style: AttentionStyle,
  pixelSize: { width: number; height: number },
): { marks: Plot.Markish[]; max: number } {
  const { blend = "color", patchGrid = false } = style;
  const chosen = panels.map((p) => selectTiles(p.tiles, style.tiles ?? "auto"));
  const cells = panels.flatMap((p, i) => cellsOf(p, chosen[i]));
  const max = cells.reduce((m, c) => Math.max(m, c.value), 0);
  const tileBorders = style.tileBorders ?? chosen.some((tiles) => tiles.length > 1);
  const facet = {
    fx: panels[0].fx === undefined ? undefined : "fx",
    fy: panels[0].fy === undefined ? undefined : "fy",
  } as const;
  const { width: W, height: H } = panels[0].picture;
  const marks: Plot.Markish[] = [
    Plot.image(panels, {
      ...facet,
      x: W / 2,
      y: H / 2,
      width: pixelSize.width,
      height: pixelSize.height,
      src: (p: Panel) => p.picture.href,
      preserveAspectRatio: "none",
    }),
  ];
  const darkness = style.opacity ?? 0.85;
  const top = style.domain?.[1] ?? max;
  marks.push(Plot.rect(cells, {
    ...facet,
    x1: "x1",
    x2: "x2",
    y1: "y1",
    y2: "y2",
    ...(blend === "color" ? { fill: "value", fillOpacity: style.opacity ?? 0.6 } : {
      fill: "black",
      fillOpacity: (c: Cell) => darkness * (1 - Math.min(1, top > 0 ? c.value / top : 0)),
    }),
    shapeRendering: "crispEdges",
  }));
  if (patchGrid) {
    const lines = panels.flatMap((p, i) => patchLines(p, chosen[i], patchGrid));
    marks.push(Plot.link(lines, {
      ...facet,
      x1: "x1",
      y1: "y1",
      x2: "x2",
      y2: "y2",
      stroke: "white",
      strokeOpacity: 0.35,
      strokeWidth: 0.5,
    }));
  }
  if (tileBorders) {
    const boxes = panels.flatMap((p, i) =>
      chosen[i].map((t) => ({ fx: p.fx, fy: p.fy, name: t.name, box: t.box }))
    );
    marks.push(
      Plot.rect(boxes, {
        ...facet,
        x1: (d) => d.box[0],
        y1: (d) => d.box[1],
        x2: (d) => d.box[2],
        y2: (d) => d.box[3],
        fill: "none",
        stroke: "white",
        strokeWidth: 1.5,
      }),
      Plot.text(boxes, {
        ...facet,
        x: (d) => d.box[0],
        y: (d) => d.box[1],
        text: "name",
        ...PICTURE_LABEL,
      }),
    );
  }
  return { marks, max };
}

/** Refuses pictures of different sizes in one figure, and tiles outside their picture. */
export function checkPanels(panels: readonly Panel[]): void {
  const { width, height } = panels[0].picture;
  for (const panel of panels) {
    if (panel.picture.width !== width || panel.picture.height !== height) {
      throw new InputError(
        `attention: pictures of ${width}x${height} and ${panel.picture.width}x${panel.picture.height} in one figure`,
        "small multiples share one coordinate system: give pictures of one size",
      );
    }
    checkTiles(panel.tiles, width, height);
  }
}

/** The colour scale of the weights, with its legend for `"color"` blending when asked. */
export function colorScale(style: AttentionStyle, max: number, legend: boolean): Plot.ScaleOptions {
  return scaleWithLegend({
    type: "linear",
    scheme: style.scheme ?? "inferno",
    domain: style.domain ? [...style.domain] : [0, max > 0 ? max : 1],
    legend: legend && (style.blend ?? "color") === "color",
    label: "attention",
  }, { marginLeft: 16, marginRight: 16 });
}
