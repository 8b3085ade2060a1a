/**
 * nanovlm-lab: load, convert, run, inspect and evaluate nanoVLM checkpoints from TypeScript.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./checkpoint/safetensors.ts";
export * from "./checkpoint/config_types.ts";
export * from "./checkpoint/config.ts";
export * from "./checkpoint/checkpoint.ts";
export * from "./checkpoint/tensor_layout.ts";
export * from "./checkpoint/presets.ts";
export * from "./checkpoint/safetensors_writer.ts";
export * from "./checkpoint/synthetic.ts";
export * from "./checkpoint/atomic.ts";
export * from "./pipeline/rgb_image.ts";
export * from "./pipeline/image_load.ts";
export * from "./pipeline/image_preprocess.ts";
export * from "./pipeline/pillow_resample.ts";
export * from "./pipeline/torch_resample.ts";
