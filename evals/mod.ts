/**
 * nanovlm-lab's evaluation side: `metrics` (equal to the reference implementations) and `datasets`
 * (the manifest format, importers, ShapesBench, photos). It is built on the library's public API
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
