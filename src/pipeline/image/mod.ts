/**
 * The image room of the pipeline: loading images, Pillow- and torch-exact resampling, and the
 * original preprocessing (resize, tiling, normalisation) to pixel values.
 *
 * @module
 */
export * from "./rgb_image.ts";
export * from "./image_load.ts";
export * from "./pillow_resample.ts";
export * from "./torch_resample.ts";
export * from "./image_preprocess.ts";
