/**
 * The model: nanoVLM's vision encoder, modality projector and decoder as graph-building code. Other
 * rooms use the build entry point, the build options and the weight sources.
 *
 * @module
 */
export * from "./build.ts";
export * from "./options.ts";
export * from "./weights.ts";
export * from "./precision_spec.ts";
export * from "./quantize.ts";
// The fast decoder's attention over the cache, for probes that time it alone (bench:floors).
export { pastAttention, type PastAttentionShared } from "./past_attention.ts";
