/**
 * Reports of eval output folders: from `DIR/summary.json` and `DIR/records/<cell>.jsonl`,
 * `writeReport` writes `DIR/report.html` (self-contained: inline SVG figures, inline pictures, no
 * script, no network), `DIR/report.md` and `DIR/figures/*.png` (quality vs latency with 95%
 * intervals, per-category bars, per-token latency, drift against the reference cell) and a gallery
 * of the worst and the changed items. The pieces (reading, analysis, figures, tables) are exported
 * for notebooks.
 *
 * @example
 * ```ts
 * import { writeReport } from "./evals/report/mod.ts";
 *
 * const files = await writeReport("reports/demo");
 * console.log(files.html);
 * ```
 *
 * @module
 */
export * from "./load.ts";
export * from "./items.ts";
export * from "./analysis.ts";
export * from "./figures.ts";
export * from "./tables.ts";
export * from "./gallery.ts";
export * from "./html.ts";
export * from "./markdown.ts";
export * from "./write.ts";
