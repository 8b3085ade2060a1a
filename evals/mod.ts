/**
 * nanovlm-lab's evaluation side, built on `src/` (it may import it; `src/` never imports it): `metrics` (equal to the
 * reference implementations) and `datasets` (the manifest format, importers, ShapesBench, photos).
 *
 * @example
 * ```ts
 * import { datasets, metrics } from "./evals/mod.ts";
 * ```
 *
 * @module
 */
export * as metrics from "./metrics/mod.ts";
export * as datasets from "./datasets/mod.ts";
