import { presetConfig } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { dynamicResizeSize } from "../pipeline/mod.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import {
  attentionMaps,
  type AttentionSource,
  combineMaps,
  mapToImage,
  queryPositions,
} from "./attention_map.ts";
import { tokenBox, tokensToPatches, traceLayout } from "./layout.ts";
import { LabelledTensor } from "./tensor.ts";
import type { TraceLayout } from "./types.ts";

const IMAGE = 256, MARKER = 300;
const text = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * A current-generation prompt by hand: "Hi" + <global> + 16 image ids + per grid tile a marker +
 * 16 image ids, then " red?" and a teacher-forced answer "red".
 */
function currentLayout(width: number, height: number, grid: [number, number]): TraceLayout {
  const tiles = grid[0] * grid[1] + 1;
  const ids = text("Hi");
  const positions: number[] = [];
  for (let t = 0; t < tiles; t++) {
    ids.push(MARKER + t);
    for (let k = 0; k < 16; k++) {
      positions.push(ids.length);
      ids.push(IMAGE);
    }
  }
  ids.push(...text(" red?"));
  const promptIds = ids.length;
  ids.push(...text("red"));
  return traceLayout({
    config: presetConfig("tiny-current"),
    ids,
    promptIds,
    appended: "answer",
    imageLayout: { kind: "placeholders", positions },
    images: [{ width, height, grid, tiles, globalTile: true }],
    piece: (id) => id < 256 ? String.fromCharCode(id) : `<${id}>`,
    markerIds: new Set(Array.from({ length: tiles }, (_, t) => MARKER + t)),
  });
}

/** v0.1: 16 image embeddings prepended to "Hi red". */
function v01Layout(width: number, height: number): TraceLayout {
  const ids = text("Hi red");
  return traceLayout({
    config: presetConfig("tiny-v0.1"),
    ids,
    promptIds: ids.length,
    appended: "answer",
    imageLayout: { kind: "prepended", count: 16 },
    images: [{ width, height, grid: [1, 1], tiles: 1, globalTile: false }],
    piece: (id) => String.fromCharCode(id),
    markerIds: new Set(),
  });
}

/** An attention source whose query rows all put `row` on the keys. */
function source(layout: TraceLayout, row: Map<number, number>): AttentionSource {
  const n = layout.tokens.length;
  const data = new Float32Array(n * n);
  for (let q = 0; q < n; q++) for (const [k, v] of row) data[q * n + k] = v;
  const probs = new LabelledTensor(["head", "query", "key"], [1, n, n], data);
  return { layout, attentionLayers: [0], attentionHeads: [0], attention: () => probs };
}

/** The set of lit pixels `x,y` of a raster. */
function lit(raster: { width: number; values: Float32Array }): Set<string> {
  const out = new Set<string>();
  raster.values.forEach((v, i) => {
    if (v > 0) out.add(`${i % raster.width},${Math.floor(i / raster.width)}`);
  });
  return out;
}

function block(x0: number, x1: number, y0: number, y1: number): Set<string> {
  const out = new Set<string>();
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.add(`${x},${y}`);
  return out;
}

Deno.test("a hot image token of grid tile r1c2 lights its patch block and its box on a 150x90 picture", () => {
  // DynamicResize (tile 64, max 192): 150x90 -> 192x128, a 2x3 grid; tile r1c2 covers resized
  // x 64..128, y 0..64 = original x 50..100, y 0..45 (x scale 150/192, y scale 90/128).
  assertEquals(dynamicResizeSize(150, 90, 64, 192, true), [128, 192]);
  const layout = currentLayout(150, 90, [2, 3]);
  assertEquals(layout.tiles.map((t) => t.name), [
    "global",
    "r1c1",
    "r1c2",
    "r1c3",
    "r2c1",
    "r2c2",
    "r2c3",
  ]);
  const tile = layout.tiles[2];
  assertEquals(tile.box, [50, 0, 100, 45]);
  // Token (1, 2) of the 4x4 grid: ViT patches rows 2..3, cols 4..5 (f = 2), tile pixels x 32..48,
  // y 16..32 -> original x 75..87.5, y 11.25..22.5.
  const position = tile.positions[1 * 4 + 2];
  const [map] = attentionMaps(source(layout, new Map([[position, 1]])), { layers: 0, heads: 0 });
  map.tiles.forEach((t, i) =>
    assertEquals(
      t.values,
      Array.from({ length: 4 }, (_, r) =>
        Array.from({ length: 4 }, (_, c) => (i === 2 && r === 1 && c === 2 ? 1 : 0))),
    )
  );
  const patches = tokensToPatches(map.tiles[2].values, 2);
  patches.forEach((row, y) =>
    row.forEach((v, x) => assertEquals(v, y >= 2 && y <= 3 && x >= 4 && x <= 5 ? 1 : 0))
  );
  assertEquals(tokenBox(layout, 2, 1, 2), [75, 11.25, 87.5, 22.5]);
  // Pixels whose centres lie in the box: x 75..86, y 11..21.
  assertEquals(lit(mapToImage(layout, map)), block(75, 86, 11, 21));
  assertEquals(map.imageMass, 1);
});

Deno.test("a hot global-tile token covers its share of the whole picture", () => {
  const layout = currentLayout(150, 90, [2, 3]);
  const position = layout.tiles[0].positions[0];
  const [map] = attentionMaps(source(layout, new Map([[position, 1]])), { layers: 0, heads: 0 });
  // Global token (0, 0) covers the top-left quarter-by-quarter: x 0..37.5, y 0..22.5.
  // Pixels whose centres lie in it: x 0..36, y 0..21.
  assertEquals(lit(mapToImage(layout, map)), block(0, 36, 0, 21));
  assertEquals(lit(mapToImage(layout, map, { tiles: "grid" })), new Set());
});

Deno.test("a hot token of the last tile of a tall 90x150 picture (3x2 grid) lands bottom right", () => {
  // 90x150 -> 128x192 (w x h): grid 3x2; tile r3c2 covers resized x 64..128, y 128..192 =
  // original x 45..90, y 100..150. Token (3, 3): tile px 48..64 -> x 78.75..90, y 137.5..150.
  assertEquals(dynamicResizeSize(90, 150, 64, 192, true), [192, 128]);
  const layout = currentLayout(90, 150, [3, 2]);
  const tile = layout.tiles.find((t) => t.name === "r3c2")!;
  assertEquals(tile.box, [45, 100, 90, 150]);
  const [map] = attentionMaps(source(layout, new Map([[tile.positions[15], 1]])), {
    layers: 0,
    heads: 0,
  });
  assertEquals(lit(mapToImage(layout, map)), block(79, 89, 137, 149));
});

Deno.test("v0.1: one tile covers the whole (squashed) picture", () => {
  const layout = v01Layout(150, 90);
  assertEquals(layout.tiles.map((t) => [t.name, t.box, t.positions.length]), [["image", [
    0,
    0,
    150,
    90,
  ], 16]]);
  assertEquals(layout.tokens[16].text, "H");
  // Token (1, 2) of 4x4: x 75..112.5, y 22.5..45; pixel centres in it: x 75..111, y 22..44.
  const [map] = attentionMaps(source(layout, new Map([[1 * 4 + 2, 1]])), { layers: 0, heads: 0 });
  assertEquals(lit(mapToImage(layout, map)), block(75, 111, 22, 44));
});

Deno.test("normalisation: image mass, renormalised over the image, sinks excluded", () => {
  const layout = v01Layout(64, 64);
  // Half of the attention on a text key, 0.4 on image token 0, 0.1 spread over tokens 1..15.
  const row = new Map([
    [17, 0.5],
    [0, 0.4],
    ...Array.from({ length: 15 }, (_, i) => [i + 1, 0.1 / 15] as [number, number]),
  ]);
  const src = source(layout, row);
  const [raw] = attentionMaps(src, { normalization: "raw" });
  assertEquals(Math.abs(raw.imageMass - 0.5) < 1e-6, true);
  const [image] = attentionMaps(src, { normalization: "image" });
  assertEquals(Math.abs(image.tiles[0].values[0][0] - 0.8) < 1e-6, true);
  // Token 0 takes 0.4 of 0.5: 12.8 even shares (> 10): a sink; the rest renormalise to 1/15 each.
  const [noSinks] = attentionMaps(src, { normalization: "no-sinks" });
  assertEquals(noSinks.sinks, [0]);
  assertEquals(noSinks.tiles[0].values[0][0], 0);
  assertEquals(Math.abs(noSinks.tiles[0].values[3][3] - 1 / 15) < 1e-6, true);
});

Deno.test("queries: last prompt position, answer tokens, words of the answer, then the prompt", () => {
  const layout = currentLayout(150, 90, [2, 3]);
  const n = layout.tokens.length;
  assertEquals(layout.promptLength, n - 3);
  assertEquals(queryPositions(layout), [n - 4]);
  assertEquals(queryPositions(layout, { answer: 1 }), [n - 2]);
  assertEquals(queryPositions(layout, "red"), [n - 3, n - 2, n - 1]); // the answer's, not the prompt's
  assertEquals(queryPositions(layout, "Hi"), [0, 1]);
  assertEquals(
    layout.tokens.filter((t) => t.role === "marker").map((t) => layout.tiles[t.tile!].name),
    [
      "global",
      "r1c1",
      "r1c2",
      "r1c3",
      "r2c1",
      "r2c2",
      "r2c3",
    ],
  );
  assertThrows(
    () => queryPositions(layout, "zebra"),
    InputError,
    /not in the prompt or the answer/,
  );
  assertThrows(() => queryPositions(layout, n), InputError, /out of range/);
  assertThrows(
    () => queryPositions(layout, { answer: 3 }),
    InputError,
    /3 answer\/generated tokens/,
  );
});

Deno.test("layers and heads out of range are named errors; combineMaps averages", () => {
  const layout = v01Layout(64, 64);
  const src = source(layout, new Map([[0, 1]]));
  assertThrows(
    () => attentionMaps(src, { layers: 2 }),
    InputError,
    /layer 2 is not in the trace \(it holds 0\)/,
  );
  assertThrows(() => attentionMaps(src, { heads: 3 }), InputError, /head 3 is not in the trace/);
  const [a] = attentionMaps(src);
  const zero = {
    ...a,
    tiles: a.tiles.map((t) => ({ ...t, values: t.values.map((r) => r.map(() => 0)) })),
  };
  assertEquals(combineMaps([a, zero]).tiles[0].values[0][0], 0.5);
  assertEquals(combineMaps([a, zero], "max").tiles[0].values[0][0], 1);
});
