/**
 * A minimal 2-D canvas for server-side Plot: enough for the two places Plot draws pixels
 * (`Plot.raster` and continuous colour legends), which otherwise crash under linkedom because its
 * canvas has no context. It supports `fillStyle` + `fillRect`, `createImageData`, `putImageData`
 * and `toDataURL()` (PNG); nothing else of the canvas API.
 *
 * @module
 */
import { rgb } from "d3";
import { Buffer } from "node:buffer";
import { encodePngRgba } from "./png_encode.ts";

/** The image data a {@link PixelCanvas} context hands out, shaped like the DOM's `ImageData`. */
export interface PixelImageData {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGBA bytes, row-major. */
  data: Uint8ClampedArray;
}

class PixelContext2D {
  #canvas: PixelCanvas;
  #fill: [number, number, number, number] = [0, 0, 0, 255];
  #fillStyle = "#000000";

  constructor(canvas: PixelCanvas) {
    this.#canvas = canvas;
  }

  get fillStyle(): string {
    return this.#fillStyle;
  }

  set fillStyle(style: string) {
    const c = rgb(style);
    if (c.r == null || Number.isNaN(c.r)) return; // the DOM ignores unparsable colours too
    this.#fillStyle = style;
    this.#fill = [c.r, c.g, c.b, Math.round((c.opacity ?? 1) * 255)];
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    const { width, height } = this.#canvas;
    const pixels = this.#canvas.pixels();
    const x0 = Math.max(0, Math.round(x)), x1 = Math.min(width, Math.round(x + w));
    const y0 = Math.max(0, Math.round(y)), y1 = Math.min(height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) pixels.set(this.#fill, (yy * width + xx) * 4);
    }
  }

  createImageData(width: number, height: number): PixelImageData {
    return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }

  putImageData(image: PixelImageData, dx: number, dy: number): void {
    const { width, height } = this.#canvas;
    const pixels = this.#canvas.pixels();
    for (let y = 0; y < image.height; y++) {
      const ty = y + dy;
      if (ty < 0 || ty >= height) continue;
      for (let x = 0; x < image.width; x++) {
        const tx = x + dx;
        if (tx < 0 || tx >= width) continue;
        const s = (y * image.width + x) * 4;
        pixels.set(image.data.subarray(s, s + 4), (ty * width + tx) * 4);
      }
    }
  }
}

/** A canvas element stand-in that Plot can draw on and read back as a PNG data URL. */
export class PixelCanvas {
  /** Width in pixels (Plot sets it before drawing). */
  width = 300;
  /** Height in pixels. */
  height = 150;
  #pixels: Uint8Array | undefined;
  #context: PixelContext2D | undefined;

  /** The RGBA pixel buffer, (re)allocated when the size changed. */
  pixels(): Uint8Array {
    const size = this.width * this.height * 4;
    if (this.#pixels === undefined || this.#pixels.length !== size) {
      this.#pixels = new Uint8Array(size);
    }
    return this.#pixels;
  }

  /** Returns the 2-D context; other context types are not supported (null, as in the DOM). */
  getContext(type: string): PixelContext2D | null {
    if (type !== "2d") return null;
    return this.#context ??= new PixelContext2D(this);
  }

  /** The pixels as a `data:image/png;base64,…` URL. */
  toDataURL(): string {
    const png = encodePngRgba(this.width, this.height, this.pixels());
    return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
  }
}
