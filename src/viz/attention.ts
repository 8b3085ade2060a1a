/**
 * Attention on the picture: a heat map over the original image (blended, tile borders and the
 * patch grid optional), a layer x head grid of small maps, and a strip of words each with the
 * region it looked at. Every function returns a {@link Figure} (restyle with `.with`, add marks
 * with `.add`) or, for {@link attentionMarks}, the marks to compose into a plot of your own.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import {
  checkTiles,
  flatValues,
  type ImageAttention,
  tileGrid,
  type TileWeights,
} from "./attention_types.ts";
import { Figure } from "./figure.ts";
import { scaleWithLegend } from "./render.ts";
import { asPicture, type Picture, PICTURE_LABEL } from "./picture.ts";

/** How weights are drawn over the picture. */
export type Blend =
  /** Coloured cells over the picture (`opacity` sets how much of the picture shows through). */
  | "color"
  /** The picture darkened where the weight is low: the looked-at region stays bright. */
  | "spotlight";

/** Which tiles a figure draws. */
export type TileChoice = "auto" | "global" | "grid" | readonly string[];

/** Options shared by the attention figures. */
export interface AttentionStyle {
  /** Which tiles: `"auto"` (grid tiles when there are any, else the single tile), `"global"`, `"grid"`, or names. */
  tiles?: TileChoice;
  /** `"color"` (default) or `"spotlight"`. */
  blend?: Blend;
  /** Cell opacity for `"color"` (default 0.6); darkness of unattended cells for `"spotlight"` (default 0.85). */
  opacity?: number;
  /** Colour scheme for `"color"` (default `"inferno"`). */
  scheme?: Plot.ColorScheme;
  /** Colour domain (default `[0, max]` of the weights drawn). */
  domain?: readonly [number, number];
  /** Draw tile borders and names (default: when more than one tile is drawn). */
  tileBorders?: boolean;
  /**
   * Draw the ViT patch grid: `true` for tiles that give `patches`, or the number of patches per
   * image token side (the pixel-shuffle factor) for every tile (default false).
   */
  patchGrid?: boolean | number;
}

/** Options for {@link attentionHeatmap}. */
export interface AttentionHeatmapOptions extends AttentionStyle {
  /** Width of the picture in the figure, in px (default 480). */
  width?: number;
  /** Show the colour legend (default true for `"color"`). */
  legend?: boolean;
  /** Title above the figure. */
  title?: string;
  /** Caption below the figure. */
  caption?: string;
}

/** One panel of a small-multiples figure. */
interface Panel {
  fx?: number | string;
  fy?: number | string;
  picture: Picture;
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

function panelMarks(
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

function checkPanels(panels: readonly Panel[]): void {
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

function colorScale(style: AttentionStyle, max: number, legend: boolean): Plot.ScaleOptions {
  return scaleWithLegend({
    type: "linear",
    scheme: style.scheme ?? "inferno",
    domain: style.domain ? [...style.domain] : [0, max > 0 ? max : 1],
    legend: legend && (style.blend ?? "color") === "color",
    label: "attention",
  }, { marginLeft: 16, marginRight: 16 });
}

/**
 * The marks of an attention heat map in original-image pixel coordinates (x `[0, width]`, y
 * `[0, height]` reversed), for a plot of your own. `pixelSize` is the picture's size on screen.
 */
export function attentionMarks(
  attention: ImageAttention,
  pixelSize: { width: number; height: number },
  style: AttentionStyle = {},
): Plot.Markish[] {
  const panel = { picture: asPicture(attention.image), tiles: attention.tiles };
  checkPanels([panel]);
  return panelMarks([panel], style, pixelSize).marks;
}

/**
 * The query's attention over the picture, in the original picture's pixels.
 *
 * @example
 * ```ts
 * const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };
 * const fig = attentionHeatmap({
 *   image,
 *   tiles: [{ name: "image", box: [0, 0, 64, 64], grid: [2, 2], values: [0, 1, 0, 0] }],
 * });
 * await fig.save("map.png");
 * ```
 */
export function attentionHeatmap(
  attention: ImageAttention,
  options: AttentionHeatmapOptions = {},
): Figure {
  const { width = 480, title, caption } = options;
  const picture = asPicture(attention.image);
  const panel: Panel = { picture, tiles: attention.tiles };
  checkPanels([panel]);
  const height = Math.round((width * picture.height) / picture.width);
  const { marks, max } = panelMarks([panel], options, { width, height });
  return new Figure(
    {
      width,
      height,
      margin: 0,
      title,
      caption,
      x: { domain: [0, picture.width], axis: null },
      y: { domain: [0, picture.height], reverse: true, axis: null },
      color: colorScale(options, max, options.legend ?? true),
      marks,
    },
    {
      description: `[attention heat map, ${attention.tiles.length} tile(s), max ${
        max.toPrecision(3)
      }]`,
    },
  );
}

/** One map of an {@link attentionGrid}: a layer, a head (or a fusion such as `"mean"`), its tiles. */
export interface LayerHeadMap {
  /** Decoder (or ViT) layer. */
  layer: number | string;
  /** Head index, or `"mean"` / `"max"`. */
  head: number | string;
  /** The map's tiles (same boxes as the picture's). */
  tiles: readonly TileWeights[];
}

/** Options for {@link attentionGrid} and {@link attentionStrip}. */
export interface SmallMultiplesOptions extends AttentionStyle {
  /** Width of each small picture in px (default 96 for the grid, 128 for the strip). */
  panelWidth?: number;
  /** `"each"` (default): every map coloured from 0 to its own max; `"shared"`: one scale. */
  scale?: "each" | "shared";
  /** Title above the figure. */
  title?: string;
  /** Caption below the figure. */
  caption?: string;
}

function rescaled(tiles: readonly TileWeights[]): TileWeights[] {
  const flats = tiles.map(flatValues);
  const max = flats.reduce((m, v) => Math.max(m, ...v), 0);
  return tiles.map((t, i) => ({
    ...t,
    grid: tileGrid(t),
    values: max > 0 ? flats[i].map((v) => v / max) : flats[i],
  }));
}

function bandSize(n: number, panel: number, padding: number): number {
  // d3.scaleBand with paddingOuter 0: bandwidth = range / (n - padding) * (1 - padding).
  return Math.round((panel * (n - padding)) / (1 - padding));
}

function smallMultiples(
  panels: Panel[],
  options: SmallMultiplesOptions,
  panelWidth: number,
  scales: { fx?: Plot.ScaleOptions; fy?: Plot.ScaleOptions },
  description: string,
): Figure {
  checkPanels(panels);
  const each = (options.scale ?? "each") === "each";
  const drawn = each ? panels.map((p) => ({ ...p, tiles: rescaled(p.tiles) })) : panels;
  const { width: W, height: H } = panels[0].picture;
  const panelHeight = Math.round((panelWidth * H) / W);
  const { marks, max } = panelMarks(drawn, options, { width: panelWidth, height: panelHeight });
  const padding = 0.08;
  const nx = new Set(panels.map((p) => p.fx)).size;
  const ny = new Set(panels.map((p) => p.fy)).size;
  const marginTop = 18, marginLeft = scales.fy ? 40 : 0;
  return new Figure(
    {
      width: marginLeft + (scales.fx ? bandSize(nx, panelWidth, padding) : panelWidth),
      height: marginTop + (scales.fy ? bandSize(ny, panelHeight, padding) : panelHeight),
      marginTop,
      marginLeft,
      marginRight: 0,
      marginBottom: 0,
      title: options.title,
      caption: options.caption,
      x: { domain: [0, W], axis: null },
      y: { domain: [0, H], reverse: true, axis: null },
      fx: scales.fx &&
        { paddingInner: padding, paddingOuter: 0, axis: "top", label: null, ...scales.fx },
      fy: scales.fy && { paddingInner: padding, paddingOuter: 0, label: null, ...scales.fy },
      color: colorScale(options, each ? 1 : max, !each),
      marks,
    },
    { description },
  );
}

/**
 * Small maps of one query's attention, layers down and heads across.
 *
 * @example
 * ```ts
 * const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
 * const tile = (v: number[]) => [{ name: "image", box: [0, 0, 32, 32] as const, grid: [1, 2] as const, values: v }];
 * attentionGrid(image, [
 *   { layer: 0, head: 0, tiles: tile([1, 0]) },
 *   { layer: 0, head: 1, tiles: tile([0, 1]) },
 * ]);
 * ```
 */
export function attentionGrid(
  image: ImageAttention["image"],
  maps: readonly LayerHeadMap[],
  options: SmallMultiplesOptions = {},
): Figure {
  if (maps.length === 0) throw new InputError("attentionGrid: no maps", "give at least one map");
  const picture = asPicture(image, { maxSize: 256 });
  const panels = maps.map((m) => ({
    fx: String(m.head),
    fy: String(m.layer),
    picture,
    tiles: m.tiles,
  }));
  const heads = [...new Set(maps.map((m) => String(m.head)))];
  const layers = [...new Set(maps.map((m) => String(m.layer)))];
  return smallMultiples(
    panels,
    options,
    options.panelWidth ?? 96,
    {
      fx: { domain: heads, tickFormat: (h: string) => `head ${h}` },
      fy: { domain: layers, tickFormat: (l: string) => `L${l}` },
    },
    `[attention grid, ${layers.length} layer(s) x ${heads.length} head(s)]`,
  );
}

/** One word of an {@link attentionStrip}. */
export interface WordAttention {
  /** The word as shown above its picture. */
  label: string;
  /** Its attention over the picture. */
  attention: ImageAttention;
}

/**
 * A strip of words, each over the region of the picture it looked at (spotlight by default).
 *
 * @example
 * ```ts
 * const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
 * const map = (v: number[]) => ({ image, tiles: [{ name: "image", box: [0, 0, 32, 32] as const, grid: [1, 2] as const, values: v }] });
 * attentionStrip([{ label: "a", attention: map([1, 0]) }, { label: "red", attention: map([0, 1]) }]);
 * ```
 */
export function attentionStrip(
  words: readonly WordAttention[],
  options: SmallMultiplesOptions = {},
): Figure {
  if (words.length === 0) {
    throw new InputError("attentionStrip: no words", "give at least one word");
  }
  const pictures = new Map<unknown, Picture>();
  const panels = words.map((w, i) => {
    let pic = pictures.get(w.attention.image);
    if (!pic) {
      pic = asPicture(w.attention.image, { maxSize: 256 });
      pictures.set(w.attention.image, pic);
    }
    return { fx: i, picture: pic, tiles: w.attention.tiles };
  });
  return smallMultiples(
    panels,
    { blend: "spotlight", ...options },
    options.panelWidth ?? 128,
    { fx: { domain: words.map((_, i) => i), tickFormat: (i: number) => words[i].label } },
    `[attention strip: ${words.map((w) => w.label).join(" ")}]`,
  );
}
