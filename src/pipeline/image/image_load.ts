/**
 * Image decoding with the original's `PIL.Image.open(path).convert("RGB")` semantics: sharp
 * (libvips) decodes, and the conversion to 8-bit RGB follows Pillow 9.4 rather than sharp's
 * defaults:
 *
 * - alpha is dropped, not composited: the stored RGB under transparent pixels is kept;
 * - grayscale and palette images are expanded to RGB;
 * - CMYK becomes RGB with Pillow's `cmyk2rgb` formula, not an ICC transform;
 * - 16-bit colour keeps the high byte of each sample (Pillow's `;16B` unpackers); 16-bit
 *   grayscale without alpha is clipped to 255 (Pillow opens it as mode `I` and `convert` clips);
 * - embedded ICC profiles are ignored (Pillow does no colour management);
 * - EXIF orientation is ignored unless `applyExifOrientation` is set;
 * - animated images give their first frame.
 *
 * @module
 */
import sharp, { type Metadata, type Sharp } from "sharp";
import { InputError } from "../../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedFile } from "../../files/mod.ts";
import { type RgbImage, validateRgbImage } from "./rgb_image.ts";

/** sharp's instance type, re-exported so that callers can type what they pass. */
export type { Sharp };

/** What {@link loadImage} accepts: a file path, encoded file bytes, or a sharp instance. */
export type ImageInput = string | Uint8Array | Sharp | RgbImage;

/** Whether an input is already-decoded pixels (e.g. from a browser canvas): no decoder needed. */
function isDecoded(input: ImageInput): input is RgbImage {
  return typeof input === "object" && !(input instanceof Uint8Array) && "data" in input &&
    "width" in input;
}

/** Options of {@link loadImage}. */
export interface LoadImageOptions {
  /**
   * Largest accepted width x height (a guard against decompression bombs); default
   * {@link DEFAULT_MAX_PIXELS}.
   */
  maxPixels?: number;
  /** Smallest accepted width and height in pixels; default 1. */
  minSide?: number;
  /** Rotate/flip by the EXIF orientation tag first (Pillow does not; default false). */
  applyExifOrientation?: boolean;
  /**
   * Accept SVG (default false): an SVG can pull other files (images, fonts) from its folder or
   * anywhere it names, so it is refused unless the file is trusted.
   */
  allowSvg?: boolean;
  /** Largest accepted file size in bytes (default {@link FILE_SIZE_LIMITS}.image, 256 MiB). */
  maxFileBytes?: number;
}

/** Default pixel limit: Pillow's `MAX_IMAGE_PIXELS` (about 89.5 megapixels). */
export const DEFAULT_MAX_PIXELS = 89_478_485;

function describe(input: ImageInput): string {
  if (typeof input === "string") return input;
  if (input instanceof Uint8Array) return `image bytes (${input.length} bytes)`;
  if (isDecoded(input)) return `decoded ${input.width}x${input.height} pixels`;
  return "sharp instance";
}

function decodeError(input: ImageInput, error: unknown): InputError {
  const reason = error instanceof Error ? error.message : String(error);
  if (typeof input === "string" && /missing|no such file|not found/i.test(reason)) {
    return new InputError(`${input}: image file not found`, "check the image path");
  }
  return new InputError(
    `${describe(input)}: cannot decode image (${reason})`,
    "give a JPEG, PNG, WebP, GIF, TIFF or AVIF file that is not truncated or corrupt",
    { cause: error },
  );
}

async function openInput(input: ImageInput, options: LoadImageOptions): Promise<Sharp> {
  if (typeof input === "string") {
    // Read by us, bounded: a FIFO, a device, a folder or an unreadable file gets a named error.
    const bytes = await readBoundedFile(input, {
      maxBytes: options.maxFileBytes ?? FILE_SIZE_LIMITS.image,
      what: "image",
      missingHint: "check the image path",
    });
    if (bytes.length === 0) {
      throw new InputError(`image ${input} is an empty file`, "give the path of an image file");
    }
    return sharp(bytes, { ignoreIcc: true, limitInputPixels: false });
  }
  if (input instanceof Uint8Array) {
    if (input instanceof Uint8Array && input.length === 0) {
      throw new InputError("image bytes: the buffer is empty", "give the bytes of an image file");
    }
    // The pixel limit is checked on the header's size before decoding (see loadImage).
    return sharp(input, { ignoreIcc: true, limitInputPixels: false });
  }
  const instance = input as Sharp;
  if (typeof instance?.metadata === "function" && typeof instance?.clone === "function") {
    return instance.clone();
  }
  throw new InputError(
    `unsupported image input of type ${typeof input}`,
    "give a file path, a Uint8Array of file bytes, or a sharp instance",
  );
}

/** Decoded samples before conversion to RGB. */
interface Decoded {
  width: number;
  height: number;
  channels: number;
  /** 8-bit or 16-bit samples, interleaved. */
  samples: Uint8Array | Uint16Array;
}

async function decode(image: Sharp, metadata: Metadata): Promise<Decoded> {
  const sixteen = metadata.depth === "ushort" || metadata.space === "rgb16" ||
    metadata.space === "grey16";
  if (metadata.space === "cmyk") {
    image.pipelineColourspace("cmyk").toColourspace("cmyk");
  } else if (sixteen) {
    image.toColourspace(metadata.space === "grey16" ? "grey16" : "rgb16");
  } else {
    image.toColourspace(metadata.space === "b-w" ? "b-w" : "srgb");
  }
  const { data, info } = await image.raw(sixteen ? { depth: "ushort" } : {}).toBuffer({
    resolveWithObject: true,
  });
  const samples = sixteen
    ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { width: info.width, height: info.height, channels: info.channels, samples };
}

/** Pillow's `MULDIV255(a, b)`: `a * b / 255` rounded, in integer arithmetic. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** Converts decoded samples to 8-bit RGB as Pillow's `convert("RGB")` does. */
function toRgb(decoded: Decoded, cmyk: boolean): Uint8Array {
  const { width, height, channels, samples } = decoded;
  const out = new Uint8Array(width * height * 3);
  const sixteen = samples instanceof Uint16Array;
  const gray = channels <= 2;
  // 16-bit grayscale without alpha is Pillow mode "I": convert("RGB") clips; else the high byte.
  const reduce = !sixteen
    ? (v: number) => v
    : gray && channels === 1
    ? (v: number) => (v > 255 ? 255 : v)
    : (v: number) => v >> 8;
  for (let p = 0, s = 0; p < width * height; p++, s += channels) {
    const o = p * 3;
    if (cmyk) {
      const nk = 255 - samples[s + 3];
      out[o] = Math.max(0, nk - mulDiv255(samples[s], nk));
      out[o + 1] = Math.max(0, nk - mulDiv255(samples[s + 1], nk));
      out[o + 2] = Math.max(0, nk - mulDiv255(samples[s + 2], nk));
    } else if (gray) {
      out[o] = out[o + 1] = out[o + 2] = reduce(samples[s]);
    } else {
      out[o] = reduce(samples[s]);
      out[o + 1] = reduce(samples[s + 1]);
      out[o + 2] = reduce(samples[s + 2]);
    }
  }
  return out;
}

/**
 * Decodes an image (file path, file bytes or sharp instance) to 8-bit RGB with the original
 * nanoVLM's Pillow semantics (see the module doc). A sharp instance is used with its own input
 * options (its ICC and orientation settings apply); pixel limits are checked for every input.
 *
 * @example
 * ```ts
 * const image = await loadImage("photo.jpg", { maxPixels: 50_000_000 });
 * console.log(image.width, image.height, image.data.length); // w, h, w * h * 3
 * ```
 */
export async function loadImage(
  input: ImageInput,
  options: LoadImageOptions = {},
): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const minSide = options.minSide ?? 1;
  if (!(maxPixels > 0) || !Number.isInteger(minSide) || minSide < 1) {
    throw new InputError(
      `invalid image limits maxPixels=${maxPixels} minSide=${minSide}`,
      "maxPixels must be positive and minSide a positive integer",
    );
  }
  if (isDecoded(input)) {
    validateRgbImage(input);
    checkSize(input, input.width, input.height, maxPixels, minSide);
    return input;
  }
  const image = await openInput(input, options);
  let metadata: Metadata;
  try {
    metadata = await image.metadata();
  } catch (error) {
    throw decodeError(input, error);
  }
  if (metadata.format === "svg" && !options.allowSvg) {
    throw new InputError(
      `${describe(input)}: SVG images are refused (an SVG can read other files it names)`,
      "convert it to PNG first, or pass allowSvg: true if the file is trusted",
    );
  }
  // Check the declared size before decoding (an animated image counts one frame).
  checkSize(
    input,
    metadata.width ?? 0,
    metadata.pageHeight ?? metadata.height ?? 0,
    maxPixels,
    minSide,
  );
  if (options.applyExifOrientation) image.autoOrient();
  let decoded: Decoded;
  try {
    decoded = await decode(image, metadata);
  } catch (error) {
    throw decodeError(input, error);
  }
  checkSize(input, decoded.width, decoded.height, maxPixels, minSide);
  return {
    width: decoded.width,
    height: decoded.height,
    data: toRgb(decoded, metadata.space === "cmyk"),
  };
}

function checkSize(
  input: ImageInput,
  width: number,
  height: number,
  maxPixels: number,
  minSide: number,
): void {
  if (width < 1 || height < 1) {
    throw new InputError(
      `${describe(input)}: image is ${width}x${height} pixels (zero-size)`,
      "give an image with at least one pixel in each direction",
    );
  }
  if (width * height > maxPixels) {
    throw new InputError(
      `${describe(input)}: image is ${width}x${height} = ${
        width * height
      } pixels, over the limit of ${maxPixels}`,
      "downscale the image first, or raise the limit (maxPixels) if the file is trusted",
    );
  }
  if (width < minSide || height < minSide) {
    throw new InputError(
      `${
        describe(input)
      }: image is ${width}x${height} pixels, smaller than the minimum side ${minSide}`,
      "give a larger image, or lower minSide",
    );
  }
}
