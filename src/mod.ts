/**
 * nanovlm-lab: load, convert, run, inspect and evaluate nanoVLM checkpoints from TypeScript.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./checkpoint/safetensors.ts";
export * from "./checkpoint/config_types.ts";
export * from "../evals/metrics/mod.ts";
