/**
 * nanovlm-lab: load, convert, run, inspect and evaluate nanoVLM checkpoints from TypeScript.
 *
 * @module
 */
export * from "./errors.ts";
