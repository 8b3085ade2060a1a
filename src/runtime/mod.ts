/**
 * The runtime: onnxruntime-node sessions, execution providers and `doctor`, the KV cache, the graph
 * cache, and `NanoVLMRuntime` (the vision, embedding and decoder sessions of one checkpoint).
 *
 * @module
 */
export * from "./cache_dir.ts";
export * from "./cache_inventory.ts";
export * from "./decode_step.ts";
export * from "./doctor.ts";
export * from "./event_loop.ts";
export * from "./graph_cache.ts";
export * from "./tensor_plan.ts";
export * from "./kv_cache.ts";
export * from "./model.ts";
export { ort } from "./ort.ts";
export * from "./providers.ts";
export * from "./runtime_options.ts";
export * from "./session.ts";
export * from "./threads.ts";
export * from "./token_table.ts";
