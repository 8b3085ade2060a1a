import sharp from "sharp";
import { InputError } from "../errors.ts";
import { assert, assertEquals, assertThrows } from "../testing/mod.ts";
import { pictureFigure, tileImage, tilesFigure } from "./tiles_figure.ts";

Deno.test("tileImage turns NCHW floats in [0, 1] into 8-bit RGB, clamping", () => {
  // Two 1x2 tiles; tile 1: R plane [0, 1], G plane [0.5, 2], B plane [-1, 0.2].
  const pixelValues = Float32Array.from([
    ...[0, 0, 0, 0, 0, 0],
    ...[0, 1, 0.5, 2, -1, 0.2],
  ]);
  const image = tileImage({ pixelValues, shape: [2, 3, 1, 2], grid: [1, 1] }, 1);
  assertEquals([image.width, image.height], [2, 1]);
  assertEquals(Array.from(image.data), [0, 128, 0, 255, 255, 51]);
  assertThrows(
    () => tileImage({ pixelValues, shape: [2, 3, 1, 2], grid: [1, 1] }, 2),
    InputError,
    /tile 2/,
  );
});

Deno.test("tilesFigure puts the global tile left and grid tiles in their rows and columns", async () => {
  // Global tile black, grid 1x2: r1c1 red, r1c2 blue. Tiles 4x4 px, drawn 20 px wide.
  const plane = 16;
  const tile = (r: number, g: number, b: number) => [
    ...new Array(plane).fill(r),
    ...new Array(plane).fill(g),
    ...new Array(plane).fill(b),
  ];
  const pixelValues = Float32Array.from([...tile(0, 0, 0), ...tile(1, 0, 0), ...tile(0, 0, 1)]);
  const fig = tilesFigure({ pixelValues, shape: [3, 3, 4, 4], grid: [1, 2] }, {
    tileSize: 20,
    caption: "",
  });
  const { data, info } = await sharp((await fig.png({ scale: 1 })).bytes).removeAlpha().raw()
    .toBuffer({
      resolveWithObject: true,
    });
  const at = (x: number, y: number) =>
    Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
  // Layout in tiles: global at [0, 1], gap 0.12, r1c1 at [1.12, 2.12], gap 0.06, r1c2 at [2.18, 3.18].
  assertEquals(info.width, Math.round(3.18 * 20));
  assertEquals(at(10, 15), [0, 0, 0]);
  assertEquals(at(32, 15), [255, 0, 0]);
  assertEquals(at(54, 15), [0, 0, 255]);
  assertThrows(
    () => tilesFigure({ pixelValues, shape: [3, 3, 4, 4], grid: [2, 2] }),
    InputError,
    /3 tiles for a 2x2 grid/,
  );
});

Deno.test("pictureFigure keeps the picture's aspect ratio", () => {
  const fig = pictureFigure({ width: 40, height: 10, data: new Uint8Array(1200) }, { width: 200 });
  assertEquals([fig.options.width, fig.options.height], [200, 50]);
  assert(fig.svg().includes('width="200"'));
});
