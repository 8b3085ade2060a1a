/**
 * The generation room of the pipeline: the seeded random source, sampling and its options, stopping
 * rules, greedy/sampled generation, beam search, and text generation with streaming.
 *
 * @module
 */
export * from "./prng.ts";
export * from "./sampling_options.ts";
export * from "./sampling.ts";
export * from "./stopping.ts";
export * from "./generate.ts";
export * from "./beam.ts";
export * from "./text_generation.ts";
