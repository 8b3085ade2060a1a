/**
 * Cross-modal attention on the image: a query's decoder attention row, restricted to the image
 * keys and grouped per tile into its token grid, with the choices a user makes as options —
 * which query (the last prompt position, a generated token, a word of the prompt or answer),
 * which layers, which heads (one, mean, max), and which normalisation (raw probabilities,
 * renormalised over the image tokens, or with attention-sink tokens excluded). Each map also
 * says how much of the query's attention went to the image at all.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { LabelledTensor } from "./tensor.ts";
import type { Box, TraceLayout } from "./types.ts";

/** What the maps read: a trace's layout and its decoder attention (a `Trace` is one). */
export interface AttentionSource {
  /** Tokens, tiles and geometry. */
  readonly layout: TraceLayout;
  /** Decoder layers whose attention the source holds. */
  readonly attentionLayers: readonly number[];
  /** Query heads the source holds, in the order of the tensors' `head` axis. */
  readonly attentionHeads: readonly number[];
  /** Decoder attention of one layer, `[head, query, key]`. */
  attention(layer: number): LabelledTensor;
}

/**
 * The query whose attention is mapped: `last` (the last prompt position, which predicts the
 * answer's first token), a decoder position, `{ generated: k }` / `{ answer: k }` (the k-th
 * appended token, 0-based), or a text: the tokens of its first occurrence in the answer (or
 * generated text), else in the prompt.
 */
export type QueryChoice =
  | "last"
  | number
  | string
  | { generated: number }
  | { answer: number };

/** Head fusion: one query head, or the mean / max over the held heads. */
export type HeadChoice = number | "mean" | "max";

/**
 * - `raw`: the attention probabilities as they are;
 * - `image`: renormalised to sum 1 over the image tokens;
 * - `no-sinks`: attention-sink image tokens (those taking more than `sinkFactor` times an even
 *   share of the image attention) zeroed, then renormalised over the remaining image tokens.
 */
export type Normalization = "raw" | "image" | "no-sinks";

/** Options of {@link attentionMaps}. */
export interface AttentionMapOptions {
  /** Default `last`. */
  query?: QueryChoice;
  /** One layer, several, or `all` held (default `all`). */
  layers?: number | readonly number[] | "all";
  /** One head or a fusion, or `all` for one map per held head (default `mean`). */
  heads?: HeadChoice | "all";
  /** Default `raw`. */
  normalization?: Normalization;
  /** `no-sinks`: a sink takes more than this many even shares of the image attention (default 10). */
  sinkFactor?: number;
}

/** One tile's part of a map. */
export interface TileMap {
  /** Index into the layout's tiles. */
  tile: number;
  /** The tile's name (`image`, `global`, `r1c2`, ...). */
  name: string;
  /** The tile's box in the original picture. */
  box: Box;
  /** Rows × cols of the tile's token grid. */
  values: number[][];
}

/** The attention of one query on the image, for one layer (or fusion) and one head (or fusion). */
export interface AttentionMap {
  /** The decoder layer, or the fusion of several ({@link combineMaps}). */
  layer: number | "mean" | "max";
  /** The query head, or the head fusion (`min` only from a rollout). */
  head: HeadChoice | "min";
  /** The query's decoder positions (several for a text span: their rows are averaged). */
  query: number[];
  /** The normalisation applied. */
  normalization: Normalization;
  /** Raw attention mass on all image tokens together (0..1). */
  imageMass: number;
  /** Image-token positions excluded as attention sinks (`no-sinks` only). */
  sinks: number[];
  /** One grid per tile, in the layout's tile order. */
  tiles: TileMap[];
}

/** The decoder positions a query choice names. */
export function queryPositions(layout: TraceLayout, query: QueryChoice = "last"): number[] {
  const length = layout.tokens.length;
  if (query === "last") return [layout.promptLength - 1];
  if (typeof query === "number") {
    if (!Number.isInteger(query) || query < 0 || query >= length) {
      throw new InputError(
        `query position ${query} is out of range (0..${length - 1})`,
        `pick a decoder position 0..${length - 1}, "last", or a word of the prompt`,
      );
    }
    return [query];
  }
  if (typeof query === "object") {
    const k = "generated" in query ? query.generated : query.answer;
    const appended = length - layout.promptLength;
    if (!Number.isInteger(k) || k < 0 || k >= appended) {
      throw new InputError(
        `appended token ${k} is out of range: the trace has ${appended} answer/generated tokens`,
        appended ? `pick 0..${appended - 1}` : "trace with an answer or generate: {maxNewTokens}",
      );
    }
    return [layout.promptLength + k];
  }
  return textPositions(layout, query);
}

/** The positions of the tokens that overlap the first occurrence of `text`. */
function textPositions(layout: TraceLayout, text: string): number[] {
  if (text === "") {
    throw new InputError("the query text is empty", 'pass a word of the prompt, e.g. "red"');
  }
  const find = (from: number, to: number): number[] | undefined => {
    const tokens = layout.tokens.slice(from, to).filter((t) => t.role !== "image");
    let joined = "";
    const starts = tokens.map((t) => {
      const start = joined.length;
      joined += t.text;
      return start;
    });
    const at = joined.indexOf(text);
    if (at < 0) return undefined;
    const end = at + text.length;
    return tokens.filter((t, i) => starts[i] < end && starts[i] + t.text.length > at)
      .map((t) => t.position);
  };
  const found = find(layout.promptLength, layout.tokens.length) ??
    find(0, layout.promptLength);
  if (!found) {
    const words = layout.tokens.filter((t) => t.role !== "image").map((t) => t.text).join("");
    throw new InputError(
      `query text ${JSON.stringify(text)} is not in the prompt or the answer`,
      `pick a word of ${JSON.stringify(words)}, a position, or "last"`,
    );
  }
  return found;
}

/** The layers a selection names, checked against those the source holds. */
export function selectLayers(
  source: AttentionSource,
  layers: number | readonly number[] | "all" = "all",
): number[] {
  const held = source.attentionLayers;
  if (layers === "all") return [...held];
  const wanted = typeof layers === "number" ? [layers] : [...layers];
  for (const l of wanted) {
    if (!held.includes(l)) {
      throw new InputError(
        `decoder layer ${l} is not in the trace (it holds ${describe(held)})`,
        held.length ? `pick one of ${describe(held)}, or "all"` : "trace with decoder attention",
      );
    }
  }
  return wanted;
}

function describe(indices: readonly number[]): string {
  if (indices.length === 0) return "none";
  const contiguous = indices.every((v, i) => i === 0 || v === indices[i - 1] + 1);
  return contiguous && indices.length > 2
    ? `${indices[0]}..${indices[indices.length - 1]}`
    : indices.join(", ");
}

/** The head slot of a query head in the source's tensors. */
function headSlot(source: AttentionSource, head: number): number {
  const slot = source.attentionHeads.indexOf(head);
  if (slot < 0) {
    throw new InputError(
      `head ${head} is not in the trace (it holds heads ${describe(source.attentionHeads)})`,
      `pick one of ${describe(source.attentionHeads)}, "mean" or "max"`,
    );
  }
  return slot;
}

/** The query rows of one layer with heads fused: `[keys]` (rows of a span averaged). */
export function queryRow(
  source: AttentionSource,
  layer: number,
  head: HeadChoice,
  query: readonly number[],
): Float32Array {
  const probs = source.attention(layer);
  const [heads, , keys] = probs.shape;
  const slots = typeof head === "number" ? [headSlot(source, head)] : [...Array(heads).keys()];
  const out = new Float32Array(keys);
  const row = new Float32Array(keys);
  for (const q of query) {
    row.fill(head === "max" ? -Infinity : 0);
    for (const h of slots) {
      const values = probs.at(h, q).data;
      for (let k = 0; k < keys; k++) {
        row[k] = head === "max" ? Math.max(row[k], values[k]) : row[k] + values[k] / slots.length;
      }
    }
    for (let k = 0; k < keys; k++) out[k] += row[k] / query.length;
  }
  return out;
}

/** Groups a `[keys]` row into per-tile token grids and normalises it. */
export function rowToMap(
  layout: TraceLayout,
  row: ArrayLike<number>,
  meta: { layer: AttentionMap["layer"]; head: AttentionMap["head"]; query: number[] },
  normalization: Normalization = "raw",
  sinkFactor = 10,
): AttentionMap {
  const imagePositions = layout.tiles.flatMap((t) => t.positions);
  let imageMass = 0;
  for (const p of imagePositions) imageMass += row[p] ?? 0;
  const sinks: number[] = [];
  let scale = 1;
  if (normalization === "no-sinks") {
    const share = imageMass / Math.max(imagePositions.length, 1);
    for (const p of imagePositions) if (row[p] > sinkFactor * share) sinks.push(p);
    const kept = imageMass - sinks.reduce((a, p) => a + row[p], 0);
    scale = kept > 0 ? 1 / kept : 0;
  } else if (normalization === "image") {
    scale = imageMass > 0 ? 1 / imageMass : 0;
  }
  const sinkSet = new Set(sinks);
  const tiles = layout.tiles.map((tile) => {
    const [rows, cols] = tile.grid;
    const values = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c) => {
        const p = tile.positions[r * cols + c];
        return sinkSet.has(p) ? 0 : (row[p] ?? 0) * scale;
      }));
    return { tile: tile.index, name: tile.name, box: tile.box, values };
  });
  return { ...meta, normalization, imageMass, sinks, tiles };
}

/**
 * The attention of one query on the image tiles, one map per selected layer and head.
 *
 * @example
 * ```ts
 * const trace = await model.trace({ images: ["cat.jpg"], text: "What is this?" });
 * const [map] = attentionMaps(trace, { layers: 3, heads: "mean", normalization: "image" });
 * map.tiles[0].values; // rows × cols of the global tile (or the single tile)
 * map.imageMass;       // how much of the query's attention went to the image
 * ```
 */
export function attentionMaps(
  source: AttentionSource,
  options: AttentionMapOptions = {},
): AttentionMap[] {
  const query = queryPositions(source.layout, options.query);
  const layers = selectLayers(source, options.layers);
  const headChoice = options.heads ?? "mean";
  const heads: HeadChoice[] = headChoice === "all" ? [...source.attentionHeads] : [headChoice];
  if (typeof headChoice === "number") headSlot(source, headChoice);
  return layers.flatMap((layer) =>
    heads.map((head) =>
      rowToMap(
        source.layout,
        queryRow(source, layer, head, query),
        { layer, head, query },
        options.normalization,
        options.sinkFactor,
      )
    )
  );
}

/** Fuses maps of several layers (or heads) into one, value by value (mean or max). */
export function combineMaps(
  maps: readonly AttentionMap[],
  how: "mean" | "max" = "mean",
): AttentionMap {
  if (maps.length === 0) {
    throw new InputError("no attention maps to combine", "select at least one layer");
  }
  const first = maps[0];
  const fuse = (values: number[]) =>
    how === "max" ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    ...first,
    layer: maps.length === 1 ? first.layer : how,
    imageMass: fuse(maps.map((m) => m.imageMass)),
    sinks: [...new Set(maps.flatMap((m) => m.sinks))].sort((a, b) => a - b),
    tiles: first.tiles.map((tile, t) => ({
      ...tile,
      values: tile.values.map((row, r) =>
        row.map((_, c) => fuse(maps.map((m) => m.tiles[t].values[r][c])))
      ),
    })),
  };
}

/** Options of {@link mapToImage}. */
export interface RasterOptions {
  /** Which request image (default 0). */
  image?: number;
  /** Raster width (default: the picture's width). */
  width?: number;
  /** Raster height (default: the picture's height). */
  height?: number;
  /**
   * Which tiles paint the picture: `sum` (default: every tile adds its tokens over its box),
   * `global` (the global thumbnail only, or the single tile), or `grid` (the grid tiles only).
   */
  tiles?: "sum" | "global" | "grid";
}

/**
 * Paints a map onto the original picture: each image token's value over the pixels of its box
 * (a pixel takes the token whose box holds its centre). Returns `height × width` values, row-major.
 */
export function mapToImage(
  layout: TraceLayout,
  map: AttentionMap,
  options: RasterOptions = {},
): { width: number; height: number; values: Float32Array } {
  const index = options.image ?? 0;
  const picture = layout.images[index];
  if (!picture) {
    throw new InputError(
      `image ${index} is not in the trace (it has ${layout.images.length})`,
      `pick 0..${layout.images.length - 1}`,
    );
  }
  const width = options.width ?? picture.width, height = options.height ?? picture.height;
  const values = new Float32Array(width * height);
  const mode = options.tiles ?? "sum";
  for (const tileMap of map.tiles) {
    const tile = layout.tiles[tileMap.tile];
    if (tile.image !== index) continue;
    const isGrid = tile.name.startsWith("r");
    if ((mode === "global" && isGrid) || (mode === "grid" && !isGrid)) continue;
    const [rows, cols] = tile.grid;
    const [bx0, by0, bx1, by1] = tile.box;
    const sx = width / picture.width, sy = height / picture.height;
    const x0 = bx0 * sx, y0 = by0 * sy, w = (bx1 - bx0) * sx, h = (by1 - by0) * sy;
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y0 + h)); y++) {
      const r = Math.floor(((y + 0.5 - y0) / h) * rows);
      if (r < 0 || r >= rows) continue;
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x0 + w)); x++) {
        const c = Math.floor(((x + 0.5 - x0) / w) * cols);
        if (c < 0 || c >= cols) continue;
        values[y * width + x] += tileMap.values[r][c];
      }
    }
  }
  return { width, height, values };
}
