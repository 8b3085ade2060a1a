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
