/**
 * The decoded 8-bit RGB image every preprocessing step works on, and its validation.
 *
 * @module
 */
import { InputError } from "../../errors.ts";

/** An 8-bit RGB image, row-major, channels interleaved (`data[(y * width + x) * 3 + c]`). */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 3` bytes, R G B per pixel. */
  data: Uint8Array;
}

/** Throws an InputError unless `width` x `height` is a positive integer size. */
export function validateImageSize(width: number, height: number, where = "image"): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InputError(
      `${where}: size ${width}x${height} is not a positive integer size (zero-size image?)`,
      "give an image with at least one pixel in each direction",
    );
  }
}

/** Throws an InputError unless `image` is a well-formed, non-empty RgbImage. */
export function validateRgbImage(image: RgbImage, where = "image"): void {
  const { width, height, data } = image;
  validateImageSize(width, height, where);
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new InputError(
      `${where}: data holds ${data?.length} bytes, expected ${width}x${height}x3 = ${
        width * height * 3
      }`,
      "RgbImage.data must be interleaved 8-bit RGB (load images with loadImage)",
    );
  }
}
