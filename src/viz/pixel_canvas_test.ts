import * as Plot from "@observablehq/plot";
import sharp from "sharp";
import { assertEquals } from "../testing/mod.ts";
import { encodePngRgba } from "./png_encode.ts";
import { PixelCanvas } from "./pixel_canvas.ts";
import { renderPlot, toPng } from "./render.ts";

async function decode(
  png: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

Deno.test("encodePngRgba writes a PNG that sharp decodes to the same pixels", async () => {
  const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
  const image = await decode(encodePngRgba(3, 2, rgba));
  assertEquals([image.width, image.height], [3, 2]);
  assertEquals(Array.from(image.data), Array.from(rgba));
});

Deno.test("PixelCanvas fillRect with CSS colours and putImageData land on the right pixels", async () => {
  const canvas = new PixelCanvas();
  canvas.width = 4;
  canvas.height = 2;
  const context = canvas.getContext("2d")!;
  context.fillStyle = "rgb(255, 0, 0)";
  context.fillRect(0, 0, 2, 2);
  context.fillStyle = "#0000ff";
  context.fillRect(3, 1, 1, 1);
  const patch = context.createImageData(1, 1);
  patch.data.set([0, 255, 0, 255]);
  context.putImageData(patch, 2, 0);
  const url = canvas.toDataURL();
  const png = Uint8Array.from(
    atob(url.slice("data:image/png;base64,".length)),
    (c) => c.charCodeAt(0),
  );
  const { data } = await decode(png);
  const px = (x: number, y: number) =>
    Array.from(data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
  assertEquals(px(0, 0), [255, 0, 0, 255]);
  assertEquals(px(1, 1), [255, 0, 0, 255]);
  assertEquals(px(2, 0), [0, 255, 0, 255]);
  assertEquals(px(3, 1), [0, 0, 255, 255]);
  assertEquals(px(3, 0), [0, 0, 0, 0]);
  assertEquals(canvas.getContext("webgl"), null);
});

Deno.test("Plot.raster renders through the pixel canvas: each sample at its place", async () => {
  // A 2x2 raster filling the whole frame: left column red, right column blue.
  const chart = renderPlot({
    width: 40,
    height: 40,
    margin: 0,
    x: { domain: [0, 2], axis: null },
    y: { domain: [0, 2], axis: null },
    color: { type: "ordinal", domain: ["a", "b"], range: ["red", "blue"] },
    marks: [Plot.raster({
      x1: 0,
      x2: 2,
      y1: 0,
      y2: 2,
      width: 2,
      height: 2,
      fill: (x: number) => (x < 1 ? "a" : "b"),
      imageRendering: "pixelated",
    })],
  });
  const image = await decode(await toPng(chart, { scale: 1 }));
  const px = (x: number, y: number) =>
    Array.from(image.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3));
  assertEquals(px(10, 10), [255, 0, 0]);
  assertEquals(px(10, 30), [255, 0, 0]);
  assertEquals(px(30, 10), [0, 0, 255]);
  assertEquals(px(30, 30), [0, 0, 255]);
});

Deno.test("encodePngRgba's row filters round-trip a photo-like gradient exactly", async () => {
  const w = 17, h = 9;
  const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => {
    const p = i >> 2, x = p % w, y = Math.floor(p / w);
    return (i & 3) === 3 ? 255 : (x * 13 + y * 29 + (i & 3) * 71 + ((x * y) % 7)) % 256;
  });
  const image = await decode(encodePngRgba(w, h, rgba));
  assertEquals(Array.from(image.data), Array.from(rgba));
});
