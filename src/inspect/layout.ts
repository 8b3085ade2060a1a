/**
 * Where everything of a traced prompt is: each decoder position's token and role, each image
 * tile's image-token positions and its box in the ORIGINAL picture, and the geometry that maps an
 * image token back to ViT patches and pixels (pixel shuffle inverted).
 *
 * - v0.1 / v0.2: one tile covering the whole picture (it was resized to a square).
 * - current: the global thumbnail covers the whole picture; grid tile (r, c) covers the part of the
 *   picture that DynamicResize scaled into tile (r, c) (the two axes scale separately, since the
 *   short side is rounded up to a multiple of the tile size).
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import type { ImageLayout } from "../pipeline/mod.ts";
import { InputError } from "../errors.ts";
import type {
  Box,
  TokenRole,
  TraceGeometry,
  TraceImage,
  TraceLayout,
  TraceTile,
  TraceToken,
} from "./types.ts";

/** The token/patch geometry of a config. */
export function traceGeometry(config: NanoVLMConfig): TraceGeometry {
  const patchesPerSide = config.vit_img_size / config.vit_patch_size;
  const f = config.mp_pixel_shuffle_factor;
  return {
    tileSize: config.vit_img_size,
    patchSize: config.vit_patch_size,
    patchesPerSide,
    shuffleFactor: f,
    tokensPerSide: patchesPerSide / f,
  };
}

/** One image of a prompt as the layout needs it. */
export interface LayoutImage {
  /** Original width in pixels. */
  width: number;
  /** Original height in pixels. */
  height: number;
  /** Tile grid `[rows, cols]` from preprocessing (`[1, 1]` for v0.1/v0.2). */
  grid: readonly [number, number];
  /** Tiles the encoder receives for the image (global tile included). */
  tiles: number;
  /** Whether the first tile is the global thumbnail. */
  globalTile: boolean;
}

/** Inputs of {@link traceLayout}. */
export interface LayoutInput {
  /** The model's config (generation and image geometry). */
  config: NanoVLMConfig;
  /** Prompt ids followed by the answer or generated ids. */
  ids: readonly number[];
  /** How many of `ids` are the prompt's. */
  promptIds: number;
  /** Role of the ids after the prompt. */
  appended: "answer" | "generated";
  /** Where the image embeddings go (from the prompt builder). */
  imageLayout: ImageLayout;
  /** The request's images, in order. */
  images: readonly LayoutImage[];
  /** The text piece of one id (specials kept). */
  piece: (id: number) => string;
  /** Marker token ids (`<|global_image|>`, `<row_i_col_j>`). */
  markerIds: ReadonlySet<number>;
}

/** The tiles of one image, named and placed on the original picture. */
function imageTiles(
  image: LayoutImage,
  imageIndex: number,
  geometry: TraceGeometry,
  firstIndex: number,
): { tiles: TraceTile[]; info: TraceImage } {
  const [rows, cols] = image.grid;
  const single = image.tiles === 1;
  const s = geometry.tileSize;
  const resized: [number, number] = single ? [s, s] : [rows * s, cols * s];
  const whole: Box = [0, 0, image.width, image.height];
  const grid: [number, number] = [geometry.tokensPerSide, geometry.tokensPerSide];
  const tiles: TraceTile[] = [];
  const add = (name: string, box: Box) =>
    tiles.push({
      index: firstIndex + tiles.length,
      image: imageIndex,
      name,
      box,
      grid,
      positions: [],
    });
  if (single) {
    add("image", whole);
  } else {
    if (image.globalTile) add("global", whole);
    const sx = image.width / resized[1], sy = image.height / resized[0];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        add(`r${r + 1}c${c + 1}`, [c * s * sx, r * s * sy, (c + 1) * s * sx, (r + 1) * s * sy]);
      }
    }
  }
  if (tiles.length !== image.tiles) {
    throw new InputError(
      `image ${imageIndex}: its ${rows}x${cols} grid gives ${tiles.length} tiles, the prompt has ${image.tiles}`,
      "trace the prompt the pipeline built for this image",
    );
  }
  return { tiles, info: { width: image.width, height: image.height, resized, grid: [rows, cols] } };
}

/** The decoder positions of the image slots, in the order the tiles fill them. */
function slotPositions(layout: ImageLayout): number[] {
  switch (layout.kind) {
    case "prepended":
      return Array.from({ length: layout.count }, (_, i) => i);
    case "run":
      return Array.from({ length: layout.length }, (_, i) => layout.start + i);
    case "placeholders":
      return [...layout.positions];
  }
}

/**
 * Computes where every token and tile of a traced prompt is.
 *
 * @example
 * ```ts
 * const layout = traceLayout({ config, ids, promptIds: ids.length, appended: "answer",
 *   imageLayout: prompt.layout, images: [{ width: 640, height: 480, grid: [3, 4], tiles: 13,
 *   globalTile: true }], piece: (id) => tokenizer.decode([id], { skipSpecialTokens: false }),
 *   markerIds: new Set() });
 * layout.tiles[0].name; // "global"
 * ```
 */
export function traceLayout(input: LayoutInput): TraceLayout {
  const geometry = traceGeometry(input.config);
  const tiles: TraceTile[] = [];
  const images: TraceImage[] = [];
  for (const [i, image] of input.images.entries()) {
    const placed = imageTiles(image, i, geometry, tiles.length);
    tiles.push(...placed.tiles);
    images.push(placed.info);
  }
  const perTile = geometry.tokensPerSide ** 2;
  const slots = slotPositions(input.imageLayout);
  if (slots.length !== tiles.length * perTile) {
    throw new InputError(
      `the prompt has ${slots.length} image slots for ${tiles.length} tiles of ${perTile} tokens`,
      "trace the prompt the pipeline built for these images",
    );
  }
  const prepended = input.imageLayout.kind === "prepended" ? slots.length : 0;
  const length = prepended + input.ids.length;
  const tokens: TraceToken[] = [];
  const slotOf = new Map(slots.map((p, k) => [p, k]));
  let nextTile = 0;
  for (let position = 0; position < length; position++) {
    const slot = slotOf.get(position);
    const idIndex = position - prepended;
    const id = idIndex >= 0 ? input.ids[idIndex] : undefined;
    if (slot !== undefined) {
      const tile = Math.floor(slot / perTile), k = slot % perTile;
      tiles[tile].positions.push(position);
      nextTile = tile + 1;
      tokens.push({
        position,
        id,
        text: id === undefined ? "<image>" : input.piece(id),
        role: "image",
        tile,
        row: Math.floor(k / geometry.tokensPerSide),
        col: k % geometry.tokensPerSide,
      });
      continue;
    }
    const role: TokenRole = idIndex >= input.promptIds
      ? input.appended
      : input.markerIds.has(id!)
      ? "marker"
      : "text";
    const token: TraceToken = { position, id, text: input.piece(id!), role };
    if (role === "marker" && nextTile < tiles.length) token.tile = nextTile;
    tokens.push(token);
  }
  return {
    tokens,
    tiles,
    images,
    geometry,
    inputIds: [...input.ids],
    promptLength: prepended + input.promptIds,
  };
}

/** The box in original-picture pixels of a tile's sub-rectangle given in tile pixels. */
function subBox(
  tile: TraceTile,
  tileSize: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Box {
  const [bx0, by0, bx1, by1] = tile.box;
  const sx = (bx1 - bx0) / tileSize, sy = (by1 - by0) / tileSize;
  return [bx0 + x0 * sx, by0 + y0 * sy, bx0 + x1 * sx, by0 + y1 * sy];
}

/**
 * The box in original-picture pixels that image token (`row`, `col`) of a tile covers: the f×f
 * block of ViT patches at patch rows f·row…, columns f·col… (pixel shuffle inverted).
 */
export function tokenBox(layout: TraceLayout, tile: number, row: number, col: number): Box {
  const { patchSize, shuffleFactor: f, tileSize } = layout.geometry;
  const side = f * patchSize;
  return subBox(
    layout.tiles[tile],
    tileSize,
    col * side,
    row * side,
    (col + 1) * side,
    (row + 1) * side,
  );
}

/** The box in original-picture pixels of ViT patch (`row`, `col`) of a tile. */
export function patchBox(layout: TraceLayout, tile: number, row: number, col: number): Box {
  const { patchSize: p, tileSize } = layout.geometry;
  return subBox(layout.tiles[tile], tileSize, col * p, row * p, (col + 1) * p, (row + 1) * p);
}

/**
 * Spreads a tile's token grid over its ViT patch grid: patch (y, x) takes the value of image token
 * (⌊y/f⌋, ⌊x/f⌋), the token whose pixel-shuffle block holds it.
 */
export function tokensToPatches(
  values: readonly (readonly number[])[],
  factor: number,
): number[][] {
  return Array.from(
    { length: values.length * factor },
    (_, y) =>
      Array.from(
        { length: (values[0]?.length ?? 0) * factor },
        (_, x) => values[Math.floor(y / factor)][Math.floor(x / factor)],
      ),
  );
}
