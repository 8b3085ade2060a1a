/**
 * The evaluation harness: suites (configuration) run over a matrix of precisions × devices, with
 * records, a response cache, resume, shards and merge, quality (metrics with bootstrap intervals,
 * categories, paired comparisons) beside performance (load, vision, time to first token, decode
 * speed, per-token latency, peak memory), polars tables, and the regression gate.
 *
 * @example
 * ```ts
 * import { loadSuite, parseCells, runEval } from "./evals/harness/mod.ts";
 * const suite = await loadSuite("smoke");
 * const { summary } = await runEval({
 *   suite,
 *   model: "checkpoints/nanoVLM-222M",
 *   tokenizer: "cosmo2/tokenizer.json",
 *   cells: parseCells(["fp32,fp16"], ["cpu"]),
 *   out: "runs/smoke",
 * });
 * console.log(summary.cells.map((c) => [c.name, c.tasks.vqa.metrics.accuracy]));
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./suite.ts";
export { parseGenerationOptions } from "./suite_fields.ts";
export * from "./cells.ts";
export * from "./plan.ts";
export * from "./metric_names.ts";
export * from "./scoring.ts";
export * from "./paired.ts";
export * from "./perf.ts";
export * from "./machine.ts";
export * from "./records.ts";
export * from "./response_cache.ts";
export * from "./fingerprint.ts";
export * from "./run_dir.ts";
export * from "./summary.ts";
export * from "./tables.ts";
export * from "./outputs.ts";
export * from "./model_identity.ts";
export * from "./lazy_model.ts";
export * from "./runner.ts";
export * from "./merge.ts";
export * from "./baseline.ts";
export * from "./progress.ts";
export * from "./default_model.ts";
