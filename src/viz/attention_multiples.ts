/**
 * Small multiples of attention: a layer x head grid of small maps of one query
 * ({@link attentionGrid}), and a strip of words each over the region it looked at
 * ({@link attentionStrip}). Each returns a {@link Figure}.
 *
 * @module
 */
import type * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import { flatValues, type ImageAttention, tileGrid, type TileWeights } from "./attention_types.ts";
import { checkPanels, colorScale, type Panel, panelMarks } from "./attention_panels.ts";
import type { AttentionStyle } from "./attention_style.ts";
import { Figure } from "./figure.ts";
import { asPicture, type Picture } from "./picture.ts";

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
