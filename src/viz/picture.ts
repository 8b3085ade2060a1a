/**
 * Pictures embedded in figures: an RGB image downscaled (area average) and encoded as a PNG data
 * URL, keeping the original size for coordinates, so maps drawn in original-image pixels line up.
 *
 * @module
 */
import type { RgbImage } from "../pipeline/mod.ts";
import { base64 } from "./display.ts";
import { encodePngRgba } from "./png_encode.ts";

/** A picture ready for `Plot.image`: its original size and an embeddable (maybe smaller) copy. */
export interface Picture {
  /** Original width in pixels (the coordinate system maps are drawn in). */
  width: number;
  /** Original height in pixels. */
  height: number;
  /** A `data:` URL (or any URL the viewer can load) of the picture. */
  href: string;
}

/** Text options for a label drawn on a picture's top-left corner: white with a dark halo. */
export const PICTURE_LABEL = {
  textAnchor: "start",
  dx: 3,
  dy: 8,
  fill: "white",
  stroke: "black",
  strokeWidth: 2,
  paintOrder: "stroke",
} as const;

/** Options for {@link picture}. */
export interface PictureOptions {
  /** The embedded copy's longer side is at most this many pixels (default 512). */
  maxSize?: number;
}

function areaDownscale(image: RgbImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  const sx = image.width / width, sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * image.width + xx) * 3;
          r += image.data[i];
          g += image.data[i + 1];
          b += image.data[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * An RGB image as a {@link Picture} (PNG data URL, longer side at most `maxSize`).
 *
 * @example
 * ```ts
 * const pic = picture({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 * pic.href.startsWith("data:image/png;base64,"); // true
 * ```
 */
export function picture(image: RgbImage, options: PictureOptions = {}): Picture {
  const { maxSize = 512 } = options;
  if (!(maxSize >= 1)) throw new RangeError(`picture: maxSize must be at least 1, got ${maxSize}`);
  const k = Math.min(1, maxSize / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * k));
  const height = Math.max(1, Math.round(image.height * k));
  const rgba = areaDownscale(image, width, height);
  return {
    width: image.width,
    height: image.height,
    href: `data:image/png;base64,${base64(encodePngRgba(width, height, rgba))}`,
  };
}

/** `image` as a Picture unless it already is one. */
export function asPicture(image: RgbImage | Picture, options: PictureOptions = {}): Picture {
  return "href" in image ? image : picture(image, options);
}
