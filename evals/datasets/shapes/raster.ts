/**
 * A tiny deterministic rasteriser for ShapesBench scenes: exact point-in-shape tests on a fixed
 * 4×4 sample grid per pixel (a fixed anti-aliasing), integer blending, and geometry built from
 * square roots only (no `Math.sin`), so the pixels are identical on every machine. PNG encoding
 * goes through sharp.
 *
 * @module
 */
import sharp from "sharp";
import { COLORS, type Shape } from "./palette.ts";
import { backgroundRgb, type Scene, type SceneObject } from "./scene.ts";

type Point = [number, number];

const SQRT3 = Math.sqrt(3);
const SQRT5 = Math.sqrt(5);
const COS18 = Math.sqrt(10 + 2 * SQRT5) / 4;
const SIN18 = (SQRT5 - 1) / 4;
const COS54 = Math.sqrt(10 - 2 * SQRT5) / 4;
const SIN54 = (1 + SQRT5) / 4;
/** Inner/outer radius of a regular pentagram: (3 - √5) / 2. */
const STAR_INNER = (3 - SQRT5) / 2;

/** Unit outlines (radius 1, y down) of the polygonal shapes. */
const OUTLINES: Partial<Record<Shape, Point[]>> = {
  triangle: [[0, -SQRT3 / 2], [1, SQRT3 / 2], [-1, SQRT3 / 2]],
  hexagon: [[1, 0], [0.5, SQRT3 / 2], [-0.5, SQRT3 / 2], [-1, 0], [-0.5, -SQRT3 / 2], [
    0.5,
    -SQRT3 / 2,
  ]],
  star: [
    [0, -1],
    [COS54 * STAR_INNER, -SIN54 * STAR_INNER],
    [COS18, -SIN18],
    [COS18 * STAR_INNER, SIN18 * STAR_INNER],
    [COS54, SIN54],
    [0, STAR_INNER],
    [-COS54, SIN54],
    [-COS18 * STAR_INNER, SIN18 * STAR_INNER],
    [-COS18, -SIN18],
    [-COS54 * STAR_INNER, -SIN54 * STAR_INNER],
  ],
};

/** Even-odd point-in-polygon test; `xs`, `ys` hold the vertices. */
function insidePolygon(x: number, y: number, xs: Float64Array, ys: Float64Array): boolean {
  let inside = false;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    const yi = ys[i];
    const yj = ys[j];
    if ((yi > y) !== (yj > y) && x < ((xs[j] - xs[i]) * (y - yi)) / (yj - yi) + xs[i]) {
      inside = !inside;
    }
  }
  return inside;
}

/** A point test for one object in pixel coordinates. */
export function shapeTest(object: SceneObject): (x: number, y: number) => boolean {
  const r = object.d / 2;
  const { cx, cy } = object;
  if (object.shape === "circle") return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  if (object.shape === "square") return (x, y) => Math.abs(x - cx) <= r && Math.abs(y - cy) <= r;
  // The triangle's unit outline has base width 2 (= the box side) and height √3.
  const outline = OUTLINES[object.shape]!;
  const xs = Float64Array.from(outline, ([px]) => cx + px * r);
  const ys = Float64Array.from(outline, ([, py]) => cy + py * r);
  return (x, y) => insidePolygon(x, y, xs, ys);
}

/** Sub-pixel sample offsets per axis (4 samples, exact binary fractions). */
const SAMPLES = [0.125, 0.375, 0.625, 0.875];

/** Renders a scene to packed RGB bytes (`width × width × 3`). */
export function renderScene(scene: Scene): Uint8Array {
  const w = scene.width;
  const pixels = new Uint8Array(w * w * 3);
  const bg = backgroundRgb(scene);
  for (let i = 0; i < w; i++) pixels.set(bg, i * 3);
  for (let row = 1; row < w; row++) pixels.copyWithin(row * w * 3, 0, w * 3);
  for (const object of scene.objects) {
    const inside = shapeTest(object);
    const fg = COLORS[object.color];
    const r = object.d / 2;
    const x0 = Math.max(0, Math.floor(object.cx - r) - 1);
    const x1 = Math.min(w, Math.ceil(object.cx + r) + 1);
    const y0 = Math.max(0, Math.floor(object.cy - r) - 1);
    const y1 = Math.min(w, Math.ceil(object.cy + r) + 1);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        let hits = 0;
        for (let j = 0; j < 4; j++) {
          for (let i = 0; i < 4; i++) if (inside(x + SAMPLES[i], y + SAMPLES[j])) hits++;
        }
        if (hits === 0) continue;
        const at = (y * w + x) * 3;
        for (let c = 0; c < 3; c++) {
          pixels[at + c] = Math.floor((fg[c] * hits + pixels[at + c] * (16 - hits) + 8) / 16);
        }
      }
    }
  }
  return pixels;
}

/** Encodes packed RGB bytes as a PNG (sharp, maximum compression, no metadata). */
export async function encodePng(pixels: Uint8Array, width: number): Promise<Uint8Array> {
  const png = await sharp(pixels, {
    raw: { width, height: pixels.length / (width * 3), channels: 3 },
  })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(png);
}
