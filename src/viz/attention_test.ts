import sharp from "sharp";
import { InputError } from "../errors.ts";
import { assert, assertEquals, assertThrows } from "../testing/mod.ts";
import { attentionHeatmap } from "./attention.ts";
import { attentionGrid, attentionStrip } from "./attention_multiples.ts";
import type { TileWeights } from "./attention_types.ts";

const gray = (width: number, height: number) => ({
  width,
  height,
  data: new Uint8Array(width * height * 3).fill(128),
});

/** inferno(0) and inferno(1), the ends of the default scheme. */
const COLD = [0, 0, 4], HOT = [252, 255, 164];

async function pixels(png: Uint8Array) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x: number, y: number) =>
    Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
}

function near(actual: number[], expected: number[], tolerance = 3): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

function oneHot(rows: number, cols: number, row: number, col: number): number[] {
  return Array.from({ length: rows * cols }, (_, i) => (i === row * cols + col ? 1 : 0));
}

Deno.test("a one-hot map lights exactly its block, at its pixels in the picture", async () => {
  // 60x40 picture, one tile of 4x6 tokens: each token covers 10x10 px. Hot token (1, 4) covers
  // x 40..49, y 10..19.
  const fig = attentionHeatmap({
    image: gray(60, 40),
    tiles: [{ name: "image", box: [0, 0, 60, 40], grid: [4, 6], values: oneHot(4, 6, 1, 4) }],
  }, { width: 60, opacity: 1, legend: false });
  const at = await pixels((await fig.png({ scale: 1 })).bytes);
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 60; x++) {
      const hot = x >= 40 && x < 50 && y >= 10 && y < 20;
      assert(near(at(x, y), hot ? HOT : COLD), `pixel (${x}, ${y}) is ${at(x, y)}, hot=${hot}`);
    }
  }
});

Deno.test("grid tiles land in their boxes of a non-square picture; the global tile covers it all", async () => {
  // 90x60 picture split into 2x3 tiles of 30x30 px, 3x3 tokens each (10x10 px). Hot: tile r2c3,
  // token (0, 2) → x 80..89, y 30..39.
  const tiles: TileWeights[] = [
    { name: "global", box: [0, 0, 90, 60], grid: [3, 3], values: oneHot(3, 3, 2, 0) },
  ];
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 3; c++) {
      const name = `r${r + 1}c${c + 1}`;
      tiles.push({
        name,
        box: [c * 30, r * 30, (c + 1) * 30, (r + 1) * 30],
        grid: [3, 3],
        values: name === "r2c3" ? oneHot(3, 3, 0, 2) : new Array(9).fill(0),
      });
    }
  }
  const style = { width: 90, opacity: 1, legend: false, tileBorders: false };
  const grid = await pixels(
    (await attentionHeatmap({ image: gray(90, 60), tiles }, style).png({ scale: 2 })).bytes,
  );
  // At scale 2 the picture pixel (x, y) is the PNG pixel (2x, 2y).
  assert(near(grid(2 * 85, 2 * 35), HOT));
  assert(near(grid(2 * 80 + 1, 2 * 30 + 1), HOT));
  assert(near(grid(2 * 79 - 1, 2 * 35), COLD));
  assert(near(grid(2 * 85, 2 * 40 + 1), COLD));
  assert(near(grid(2 * 5, 2 * 55), COLD), "the global tile is not drawn with grid tiles");
  // The global tile alone: its 3x3 tokens are 30x20 px; token (2, 0) covers x 0..29, y 40..59.
  const global = await pixels(
    (await attentionHeatmap({ image: gray(90, 60), tiles }, { ...style, tiles: "global" }).png({
      scale: 1,
    })).bytes,
  );
  assert(near(global(15, 50), HOT));
  assert(near(global(15, 39), COLD));
  assert(near(global(30, 50), COLD));
});

Deno.test("spotlight keeps the looked-at block as bright as the picture and darkens the rest", async () => {
  const fig = attentionHeatmap({
    image: gray(20, 20),
    tiles: [{ name: "image", box: [0, 0, 20, 20], grid: [2, 2], values: [0, 0, 0, 1] }],
  }, { width: 20, blend: "spotlight", opacity: 1 });
  const at = await pixels((await fig.png({ scale: 1 })).bytes);
  assert(near(at(15, 15), [128, 128, 128]), `lit block ${at(15, 15)}`);
  assert(near(at(5, 5), [0, 0, 0]), `dark block ${at(5, 5)}`);
});

Deno.test("attention figures name the problem with their input", () => {
  const image = gray(10, 10);
  const tile = (over: Partial<TileWeights>): TileWeights => ({
    name: "image",
    box: [0, 0, 10, 10],
    grid: [2, 2],
    values: [0, 0, 0, 1],
    ...over,
  });
  assertThrows(
    () => attentionHeatmap({ image, tiles: [tile({ box: [0, 0, 20, 10] })] }),
    InputError,
    /not inside the 10x10 picture/,
  );
  assertThrows(
    () => attentionHeatmap({ image, tiles: [tile({ values: [1, 2, 3] })] }),
    InputError,
    /3 values for a 2x2 grid/,
  );
  assertThrows(
    () => attentionHeatmap({ image, tiles: [tile({ values: [[1, 2], [3]] })] }),
    InputError,
    /not a 2x2 grid/,
  );
  assertThrows(
    () => attentionHeatmap({ image, tiles: [tile({})] }, { tiles: ["r1c1"] }),
    InputError,
    /no tile named "r1c1"/,
  );
  assertThrows(
    () => attentionHeatmap({ image, tiles: [tile({})] }, { tiles: "grid" }),
    InputError,
    /no grid tiles/,
  );
  assertThrows(() => attentionHeatmap({ image, tiles: [] }), InputError, /no tiles/);
  assertThrows(() => attentionGrid(image, []), InputError, /no maps/);
  assertThrows(() => attentionStrip([]), InputError, /no words/);
  assertThrows(
    () =>
      attentionStrip([
        { label: "a", attention: { image, tiles: [tile({})] } },
        { label: "b", attention: { image: gray(12, 10), tiles: [tile({})] } },
      ]),
    InputError,
    /pictures of 10x10 and 12x10/,
  );
});

Deno.test("nested rows and flat values draw the same map", () => {
  const image = gray(10, 10);
  const flat = attentionHeatmap({
    image,
    tiles: [{ name: "image", box: [0, 0, 10, 10], grid: [2, 2], values: [0, 1, 2, 3] }],
  });
  const nested = attentionHeatmap({
    image,
    tiles: [{ name: "image", box: [0, 0, 10, 10], grid: [2, 2], values: [[0, 1], [2, 3]] }],
  });
  assertEquals(nested.svg(), flat.svg());
});

Deno.test("tiles given as nested rows need no grid (an inspect TileMap fits); flat ones do", () => {
  const image = gray(20, 10);
  const nested = { name: "image", box: [0, 0, 20, 10] as const, values: [[0, 1, 0], [0, 0, 2]] };
  const fig = attentionGrid(image, [{ layer: 0, head: "mean", tiles: [nested] }], { patchGrid: 2 });
  // 2x3 tokens with 2 patches per token side: 4x6 patches, so 3 + 5 interior grid lines.
  const svg = fig.svg();
  const links = svg.split('aria-label="link"')[1]?.split("</g>")[0] ?? "";
  assertEquals((links.match(/<path /g) ?? []).length, 8);
  assertThrows(
    () =>
      attentionHeatmap({ image, tiles: [{ name: "image", box: [0, 0, 20, 10], values: [1, 2] }] }),
    InputError,
    /flat values without a grid/,
  );
});
