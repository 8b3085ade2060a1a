/**
 * The evaluation harness. This first commit holds its output contract (`types.ts`): the shapes of
 * `summary.json`, `records/<cell>.jsonl`, per-task results and baselines.
 *
 * @module
 */
export * from "./types.ts";
