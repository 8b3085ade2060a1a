import { assertClose, assertEquals } from "../../../src/testing/mod.ts";
import { COLORS, type Shape } from "./palette.ts";
import { encodePng, renderScene } from "./raster.ts";
import type { Scene } from "./scene.ts";
import sharp from "sharp";

const R = 46; // half the box side of a large object on a 384 canvas
/** Areas from geometry (not from the rasteriser): side 2R or circumradius R. */
const AREAS: Record<Shape, number> = {
  circle: Math.PI * R * R,
  square: 4 * R * R,
  triangle: Math.sqrt(3) * R * R, // equilateral, side 2R
  hexagon: (3 * Math.sqrt(3) / 2) * R * R,
  // Pentagram: ten triangles (centre, tip, notch) of area R·r·sin 36° / 2, r = R·(3-√5)/2.
  star: 5 * R * R * ((3 - Math.sqrt(5)) / 2) * Math.sin(Math.PI / 5),
};

function sceneOf(shape: Shape): Scene {
  return {
    width: 384,
    background: "white",
    objects: [{ shape, color: "red", size: "large", row: 1, col: 1, cx: 192, cy: 192, d: 2 * R }],
  };
}

Deno.test("raster: each shape covers its geometric area, centred, on a clean background", () => {
  for (const shape of Object.keys(AREAS) as Shape[]) {
    const pixels = renderScene(sceneOf(shape));
    // Coverage from the green channel: white (255) blends towards red's green (30).
    let covered = 0;
    for (let i = 0; i < pixels.length; i += 3) covered += (255 - pixels[i + 1]) / (255 - 30);
    assertClose(covered, AREAS[shape], AREAS[shape] * 0.005, `${shape} area`);
    const at = (x: number, y: number) =>
      Array.from(pixels.subarray((y * 384 + x) * 3, (y * 384 + x) * 3 + 3));
    assertEquals(at(192, 192), [...COLORS.red], `${shape} centre`);
    assertEquals(at(0, 0), [255, 255, 255]);
    assertEquals(at(192 - R - 2, 192), [255, 255, 255], `${shape} left of its box`);
  }
});

Deno.test("raster: PNG encoding is lossless and repeatable", async () => {
  const pixels = renderScene(sceneOf("star"));
  const png = await encodePng(pixels, 384);
  assertEquals(await encodePng(pixels, 384), png);
  const decoded = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assertEquals(decoded.info.channels, 3);
  assertEquals(new Uint8Array(decoded.data), pixels);
});
