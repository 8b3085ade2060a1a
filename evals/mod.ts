/**
 * nanovlm-lab's evaluation side: `metrics` (equal to the reference implementations), `datasets`
 * (the manifest format, importers, ShapesBench, photos) and `harness` (suites run over precisions ×
 * devices, records, cache, resume, shards, the regression gate) and `report` (HTML, Markdown and
 * PNG reports of eval outputs). It is built on the library's public API
 * (`src/mod.ts`); the library never imports it, except the CLI (`src/cli/`), the top floor, which
 * uses both.
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
export * as harness from "./harness/mod.ts";
export * as report from "./report/mod.ts";
