/**
 * Inspect: what the model did with one request, in typed, shape-labelled tensors.
 *
 * - {@link Trace} (from `model.trace(request, options)`): tokens with their roles, image tiles
 *   placed on the original picture, pixel values, ViT patch embeddings, residual streams and
 *   attention, the projector output, decoder residual streams and attention (GQA heads named by
 *   query head), logits and top-k tokens. `estimateTrace` says what a trace keeps before it runs;
 *   over `maxBytes` it is refused with a {@link TraceBudgetError}.
 * - {@link attentionMaps}: a query's attention on the image, per tile in its token grid (pixel
 *   shuffle inverted by {@link tokenBox} / {@link tokensToPatches}), painted on the picture by
 *   {@link mapToImage}; {@link decoderRollout} and {@link vitRollout}.
 * - {@link logitLens}: each layer's next-token guess; {@link compareTraces}: drift between runs.
 *
 * Notebook display: a `Trace` has `[Symbol.for("Jupyter.display")]()`; the `viz/` room installs a
 * richer renderer with {@link setTraceDisplay} (this room never imports `viz/`).
 *
 * @example
 * ```ts
 * import { attentionMaps, NanoVLM } from "./src/mod.ts";
 *
 * const model = await NanoVLM.load("checkpoints/nanoVLM-222M", { tokenizer: "cosmo2/" });
 * const trace = await model.trace({ images: ["cat.jpg"], text: "What is this?" }, {
 *   answer: " A cat",
 *   stages: ["decoder.attention", "logits"],
 * });
 * const [map] = attentionMaps(trace, { query: "cat", layers: 20, heads: "mean" });
 * map.tiles[0].values; // the image token grid of "cat"'s attention
 * await model.release();
 * ```
 *
 * @module
 */
export * from "./attention_map.ts";
export * from "./drift.ts";
export * from "./layout.ts";
export * from "./logit_lens.ts";
export * from "./rollout.ts";
export * from "./tensor.ts";
export * from "./trace.ts";
export { estimateTrace, TraceBudgetError } from "./trace_budget.ts";
export * from "./trace_model.ts";
export { DEFAULT_TRACE_BYTES, traceTaps } from "./trace_options.ts";
export * from "./types.ts";
