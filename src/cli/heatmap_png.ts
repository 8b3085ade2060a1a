/**
 * A heat map over a picture, for `attention --out`: each pixel blends the picture with a colour
 * ramp (dark purple → orange → yellow) by its value, written as a PNG at the picture's own size.
 * The `viz/` room makes the Observable Plot figures; this is the CLI's plain composite.
 *
 * @module
 */
import sharp from "sharp";
import { writeAtomically } from "../checkpoint/mod.ts";
import type { RgbImage } from "../pipeline/mod.ts";

/** Colour stops of the ramp (inferno-like), value 0..1 → RGB. */
const RAMP: [number, [number, number, number]][] = [
  [0, [0, 0, 4]],
  [0.25, [87, 16, 110]],
  [0.5, [188, 55, 84]],
  [0.75, [249, 142, 9]],
  [1, [252, 255, 164]],
];

function ramp(v: number): [number, number, number] {
  for (let i = 1; i < RAMP.length; i++) {
    const [t1, c1] = RAMP[i];
    const [t0, c0] = RAMP[i - 1];
    if (v <= t1) {
      const f = (v - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => c0[k] + f * (c1[k] - c0[k])) as [number, number, number];
    }
  }
  return RAMP[RAMP.length - 1][1];
}

/**
 * Blends `values` (`height × width`, any scale; scaled to their max) over `picture`: opacity
 * grows with the value (0.15 … 0.8), so the picture stays visible where attention is low.
 */
export function blendHeatmap(picture: RgbImage, values: Float32Array): Uint8Array {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const out = new Uint8Array(picture.data.length);
  for (let p = 0; p < values.length; p++) {
    const v = max > 0 ? values[p] / max : 0;
    const color = ramp(v);
    const alpha = 0.15 + 0.65 * v;
    for (let k = 0; k < 3; k++) {
      out[p * 3 + k] = Math.round((1 - alpha) * picture.data[p * 3 + k] + alpha * color[k]);
    }
  }
  return out;
}

/** Writes the blended heat map as a PNG (atomically: no partial file on failure). */
export async function writeHeatmapPng(
  path: string,
  picture: RgbImage,
  values: Float32Array,
): Promise<void> {
  const rgb = blendHeatmap(picture, values);
  const png = await sharp(rgb, {
    raw: { width: picture.width, height: picture.height, channels: 3 },
  }).png().toBuffer();
  await writeAtomically(path, (temp) => Deno.writeFile(temp, png));
}
