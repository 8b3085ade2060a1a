/**
 * Bundles: a checkpoint exported as a self-contained folder (graphs with their weights, tokenizer,
 * config, preprocessing constants, manifest with sizes and hashes) and its checked loading.
 *
 * @module
 */
export * from "./manifest.ts";
export * from "./sizes.ts";
export * from "./export.ts";
export * from "./load.ts";
export * from "./web/mod.ts";
