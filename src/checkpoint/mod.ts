/**
 * Checkpoints: the strict safetensors reader and streaming writer, the typed `VLMConfig` of every
 * nanoVLM generation (detection, validation, Python-exact `config.json`), opened checkpoint folders
 * with their parameter counts and facts, presets and synthetic (random-init) checkpoints, and atomic
 * output.
 *
 * @module
 */
export * from "./atomic.ts";
export * from "./checkpoint.ts";
export * from "./config.ts";
export * from "./config_types.ts";
export * from "./float16.ts";
export * from "./info.ts";
export * from "./presets.ts";
export * from "./random.ts";
export * from "./safetensors.ts";
export * from "./safetensors_writer.ts";
export * from "./synthetic.ts";
export * from "./tensor_layout.ts";
export * from "./finite_scan.ts";
export * from "./synth_size.ts";
