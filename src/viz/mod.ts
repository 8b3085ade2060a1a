/**
 * viz: Observable Plot figures of what a nanoVLM did, rendered without a browser (SVG through
 * linkedom, PNG through sharp), and shown in Deno notebooks through the Jupyter display protocol.
 *
 * - Rendering: {@link renderPlot}, {@link toSvg}, {@link toHtml}, {@link svgToPng},
 *   {@link toPng}, {@link plotDocument} (a DOM with a pixel canvas, so `Plot.raster` and
 *   continuous legends work).
 * - Figures (each returns a {@link Figure}): {@link attentionHeatmap}, {@link attentionGrid},
 *   {@link attentionStrip}, {@link logitLensFigure}, {@link driftChart}, {@link embeddingPca}.
 * - Display: {@link Figure}, {@link Table}, {@link PngImage}, {@link Html}, {@link JUPYTER_DISPLAY}.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { Figure } from "./mod.ts";
 * const fig = new Figure({ marks: [Plot.barY([3, 1, 2])] });
 * await fig.save("bars.png");
 * ```
 *
 * @module
 */
export * from "./render.ts";
export { type DomElement, type PlotDocument, plotDocument } from "./document.ts";
export * from "./display.ts";
export * from "./figure.ts";
export * from "./table.ts";
export * from "./picture.ts";
export * from "./attention_types.ts";
export * from "./attention_style.ts";
export * from "./attention.ts";
export * from "./attention_multiples.ts";
export * from "./lens_table.ts";
export * from "./drift_chart.ts";
export * from "./pca.ts";
export * from "./embedding_pca.ts";
export * from "./token_text.ts";
export * from "./tiles_figure.ts";
export * from "./trace_views.ts";
